import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/common/free-port';

interface Reply {
  command: string;
  ok: boolean;
  url?: string;
  error?: string;
}

/** Its own embedded PostgreSQL, in a child process, that a test may stop and start again. */
export class StandalonePostgres {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(): Promise<StandalonePostgres> {
    const dir = await mkdtemp(join(tmpdir(), 'eds-standalone-pg-'));
    const port = await freePort();
    const child = fork(join(__dirname, 'postgres-process.ts'), [join(dir, 'postgres'), String(port)], {
      execArgv: ['-r', join(__dirname, 'swc-register.cjs')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = await nextReply(child);
    if (!ready.ok || !ready.url) throw new Error(`standalone PostgreSQL did not start: ${ready.error}`);
    return new StandalonePostgres(child, dir, ready.url);
  }

  async stop(): Promise<void> {
    await this.command('stop');
  }

  async restart(): Promise<void> {
    await this.command('start');
  }

  async destroy(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send('exit');
    await exited;
    await rm(this.dir, { recursive: true, force: true });
  }

  private async command(command: 'start' | 'stop'): Promise<void> {
    const reply = nextReply(this.child);
    this.child.send(command);
    const answer = await reply;
    if (!answer.ok) throw new Error(`${command} failed: ${answer.error}`);
  }
}

function nextReply(child: ChildProcess): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`postgres process exited (${code})`));
    child.once('exit', onExit);
    child.once('message', (m) => {
      child.off('exit', onExit);
      resolve(m as Reply);
    });
  });
}
