import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnApp, type AppProcess } from './support/app-process';
import { insertApiKey, withClient } from './support/sql';
import { blobEntries, sha256 } from './support/storage-client';
import { until } from './support/wait';
import { createTestDatabase, dropTestDatabase } from './support/test-database';
import { OCTETS, TUS, TusClient } from './support/tus-client';

const ADMIN = { EDS_ADMIN_EMAIL: 'tus-crash@example.com', EDS_ADMIN_PASSWORD: 'crash-password-123' };
const MiB = 1024 * 1024;

/** The retry delays tus-js-client uses after a 409/423/5xx (DESIGN.md §4b). */
const CLIENT_RETRY_DELAYS_MS = [0, 1_000, 3_000, 5_000];

describe('tus across a SIGKILL, a restart and two instances (e2e, real processes)', () => {
  it('keeps the durable offset through a SIGKILL mid-PATCH and resumes, from either instance, to the exact file', async () => {
    const databaseUrl = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'eds-tus-crash-'));
    const running: AppProcess[] = [];
    const start = async () => {
      const app = await spawnApp({ ...ADMIN, DATABASE_URL: databaseUrl, EDS_DATA_DIR: dataDir });
      running.push(app);
      return app;
    };
    try {
      const first = await start();
      const { key } = await withClient(databaseUrl, (db) => insertApiKey(db, ADMIN.EDS_ADMIN_EMAIL, 'tus-crash'));
      const bytes = randomBytes(8 * MiB);
      const a = new TusClient(first.url, key);
      const id = await a.create(bytes.length, { filename: 'crash.bin', sha256: sha256(bytes) });
      expect(await a.patchAll(id, bytes.subarray(0, 2 * MiB), 2 * MiB)).toBe(2 * MiB);

      // The rest in one PATCH, killed with the process once a good part of it is on disk.
      const req = httpRequest({
        host: '127.0.0.1',
        port: new URL(first.url).port,
        method: 'PATCH',
        path: `${a.endpoint}/${id}`,
        agent: false,
        headers: { 'x-api-key': key, ...TUS, ...OCTETS, 'upload-offset': String(2 * MiB), 'content-length': String(6 * MiB) },
      });
      req.on('error', () => undefined); // the server is about to vanish
      for (let sent = 2 * MiB; sent < 5 * MiB; sent += 256 * 1024) {
        if (!req.write(bytes.subarray(sent, sent + 256 * 1024))) await new Promise((r) => req.once('drain', r));
      }
      const runSize = async () => {
        let size = 0;
        for (const name of await blobEntries({ dataDir }, id)) size = Math.max(size, (await stat(join(dataDir, 'blobs', id.slice(0, 2), id, name))).size);
        return size;
      };
      await until(async () => (await runSize()) > 3 * MiB, 10_000, 'the PATCH is streaming to disk');
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      req.destroy();

      // Restarted (and a second instance beside it) on the same database and disk.
      const [second, third] = await Promise.all([start(), start()]);
      const b = new TusClient(second.url, key);
      const c = new TusClient(third.url, key);
      // Only what was recorded counts: the killed PATCH never committed, whatever reached the disk.
      expect(await b.offset(id)).toBe(2 * MiB);
      expect(await c.offset(id)).toBe(2 * MiB);

      // The dead writer's lease lapses within the client's retry schedule.
      let resumed = 0;
      for (const delay of CLIENT_RETRY_DELAYS_MS) {
        await new Promise((r) => setTimeout(r, delay));
        const res = await b.patch(id, 2 * MiB, bytes.subarray(2 * MiB, 3 * MiB));
        if (res.status === 204) {
          resumed = Number(res.headers.get('upload-offset'));
          break;
        }
        expect(res.status).toBe(409);
      }
      expect(resumed).toBe(3 * MiB);

      // Consecutive PATCHes to different instances.
      let offset = resumed;
      for (const [i, chunk] of [MiB, 2 * MiB, MiB, MiB].entries()) {
        const via = i % 2 === 0 ? c : b;
        const res = await via.patch(id, offset, bytes.subarray(offset, offset + chunk));
        expect(res.status).toBe(204);
        offset = Number(res.headers.get('upload-offset'));
        expect(await (via === b ? c : b).offset(id)).toBe(offset);
      }
      expect(offset).toBe(bytes.length);

      const down = await fetch(`${third.url}/api/v1/storage/files/${id}/content`, { headers: { 'x-api-key': key } });
      expect(down.status).toBe(200);
      expect(sha256(Buffer.from(await down.arrayBuffer()))).toBe(sha256(bytes));
      const meta = (await (await fetch(`${second.url}/api/v1/storage/files/${id}`, { headers: { 'x-api-key': key } })).json()) as { status: string; sha256: string };
      expect(meta).toMatchObject({ status: 'ready', sha256: sha256(bytes) });
      // The killed PATCH's run and the resumed one were joined; nothing but the blob is left.
      expect(await blobEntries({ dataDir }, id)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    } finally {
      for (const app of running) {
        if (app.child.exitCode === null && app.child.signalCode === null) {
          app.child.kill('SIGTERM');
          await app.exited;
        }
      }
      await dropTestDatabase(databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
