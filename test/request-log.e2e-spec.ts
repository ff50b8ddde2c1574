import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp } from './support/app-process';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

describe('Request log of a real process (e2e)', () => {
  let dataDir: string;
  let databaseUrl: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eds-log-'));
    databaseUrl = await createTestDatabase();
  });
  afterEach(async () => {
    await dropTestDatabase(databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes the lines of the last requests before SIGTERM, though they sat in the buffer', async () => {
    const app = await spawnApp({ DATABASE_URL: databaseUrl, EDS_DATA_DIR: dataDir, EDS_LOG_LEVEL: 'info' });
    // A few lines, far under the 4 KiB the logger collects before it writes.
    const agents = Array.from({ length: 5 }, (_, i) => `last-line-probe-${i}`);
    for (const agent of agents) {
      const res = await fetch(`${app.url}/health`, { headers: { 'user-agent': agent } });
      expect([200, 503]).toContain(res.status);
    }
    app.child.kill('SIGTERM');
    const exit = await app.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    const lines = app
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; req?: { path: string; userAgent?: string } });
    const requestLines = lines.filter((l) => l.msg === 'request completed' && l.req?.userAgent?.startsWith('last-line-probe-'));
    expect(requestLines.map((l) => [l.req!.path, l.req!.userAgent])).toEqual(agents.map((a) => ['/health', a]));
  }, 120_000);
});
