import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../src/common/free-port';

const ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs `src/main.ts` as a real process (compiled on the fly by swc), exactly
 * as `npm start` runs it, for tests that need real signals: SIGTERM, SIGKILL.
 */
export interface SpawnOptions {
  /**
   * Lead its own process group, as a shell runs a foreground job, so that a
   * test can signal the whole group the way a terminal's Ctrl-C does:
   * `process.kill(-child.pid, 'SIGINT')`.
   */
  detached?: boolean;
}

export async function spawnApp(
  env: Record<string, string | undefined>,
  timeoutMs = 60_000,
  options: SpawnOptions = {},
): Promise<AppProcess> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), EDS_LOG_LEVEL: 'info' };
  delete childEnv.DATABASE_URL;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, ['-r', join(__dirname, 'swc-register.cjs'), join(ROOT, 'src', 'main.ts')], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.detached ?? false,
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const started = Date.now();
  const url = `http://127.0.0.1:${port}`;
  const live = () => fetch(`${url}/health/live`).then((r) => r.ok, () => false);
  while (!(await live())) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the app exited before listening:\n${output}`);
    }
    if (Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the app did not listen within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, output: () => output, exited };
}

