import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../src/common/free-port';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

const ROOT = join(__dirname, '..');

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `npm start` twice at once from one checkout (two ports behind a proxy): both
 * come up, one build serves both, and a start with nothing changed builds
 * nothing. Runs on a copy of the checkout so the real dist/ is left alone.
 */
describe('Two starts from one checkout (e2e)', () => {
  let checkout: string;
  let databaseUrl: string;
  const running: Started[] = [];

  beforeAll(async () => {
    checkout = mkdtempSync(join(tmpdir(), 'eds-checkout-'));
    for (const entry of ['src', 'migrations', 'scripts', 'views', 'public', 'ormconfig.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']) {
      cpSync(join(ROOT, entry), join(checkout, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(checkout, 'node_modules'));
    databaseUrl = await createTestDatabase(true);
  });
  afterAll(async () => {
    for (const s of running) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await Promise.all(running.map((s) => s.exited));
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    if (checkout) rmSync(checkout, { recursive: true, force: true });
  });

  async function npmStart(): Promise<Started> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(checkout, 'scripts', 'start.cjs')], {
      cwd: checkout,
      env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, EDS_DATA_DIR: mkdtempSync(join(tmpdir(), 'eds-start-data-')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const started: Started = { child, url: `http://127.0.0.1:${port}`, output: () => output, exited };
    running.push(started);
    return started;
  }

  async function live(s: Started): Promise<void> {
    for (;;) {
      if (s.child.exitCode !== null) throw new Error(`npm start exited (${s.child.exitCode}):\n${s.output()}`);
      if (await fetch(`${s.url}/health/live`).then((r) => r.ok, () => false)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stop(s: Started): Promise<void> {
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }

  it('brings both up from an unbuilt checkout, building once', async () => {
    const [a, b] = [await npmStart(), await npmStart()];
    await Promise.all([live(a), live(b)]);
    const builds = [a, b].filter((s) => s.output().includes('building dist/'));
    expect(builds).toHaveLength(1);
    expect(existsSync(join(checkout, 'dist.lock'))).toBe(false);
    await Promise.all([stop(a), stop(b)]);
  }, 240_000);

  it('starts again without rebuilding what is built', async () => {
    const stampBefore = statSync(join(checkout, 'dist', '.build-stamp')).mtimeMs;
    const [a, b] = [await npmStart(), await npmStart()];
    await Promise.all([live(a), live(b)]);
    expect(a.output()).not.toContain('building dist/');
    expect(b.output()).not.toContain('building dist/');
    expect(statSync(join(checkout, 'dist', '.build-stamp')).mtimeMs).toBe(stampBefore);
    await Promise.all([stop(a), stop(b)]);
  }, 120_000);
});
