import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL that counts the statements clients send:
 * each simple `Query` ('Q', TypeORM's BEGIN/COMMIT and parameterless SQL) and
 * each `Execute` ('E', a parameterised statement of the extended protocol).
 * The bench points one instance's DATABASE_URL at it, so statements per
 * request are measured, not read off the code.
 */
export class PgStatementCounter {
  statements = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly upstream: { host: string; port: number }) {}

  async listen(): Promise<number> {
    this.server = createServer((client) => this.relay(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private relay(client: Socket): void {
    const server = createConnection(this.upstream);
    this.sockets.add(client).add(server);
    const drop = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', drop).on('close', drop);
    server.on('error', drop).on('close', drop);
    server.pipe(client);
    let pending: Buffer = Buffer.alloc(0);
    let started = false;
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      for (;;) {
        // The startup message has no type byte; every later one does.
        const header = started ? 5 : 4;
        if (pending.length < header) break;
        const length = started ? pending.readInt32BE(1) + 1 : pending.readInt32BE(0);
        if (pending.length < length) break;
        if (started) {
          const type = pending[0];
          if (type === 0x51 /* Q */ || type === 0x45 /* E */) this.statements++;
        } else if (pending.readInt32BE(4) !== 80877103 /* SSLRequest: startup follows */) {
          started = true;
        }
        pending = pending.subarray(length);
      }
    });
  }
}
