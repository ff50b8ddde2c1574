import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { PendingUploadSweeper } from '../src/storage/pending-upload.sweeper';
import { spawnApp } from './support/app-process';
import { blobEntries, sha256 } from './support/storage-client';
import { until } from './support/wait';
import { startTestApp } from './support/test-app';
import { insertApiKey, withClient } from './support/sql';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

const ADMIN = { EDS_ADMIN_EMAIL: 'crash@example.com', EDS_ADMIN_PASSWORD: 'crash-password-123' };

describe('Crash mid-upload (e2e, a real process killed with SIGKILL)', () => {
  it('leaves no ready file with partial bytes, loses nothing that was ready, and the abandoned upload is swept', async () => {
    const databaseUrl = await createTestDatabase();
    const dataDir = await mkdtemp(join(tmpdir(), 'eds-crash-'));
    try {
      const app = await spawnApp({ ...ADMIN, DATABASE_URL: databaseUrl, EDS_DATA_DIR: dataDir });
      const { key } = await withClient(databaseUrl, (db) => insertApiKey(db, ADMIN.EDS_ADMIN_EMAIL, 'crash'));
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${app.url}/api/v1/storage${path}`, { ...init, headers: { 'x-api-key': key, 'content-type': 'application/json', ...init.headers } });
      const create = async (filename: string, size: number) => {
        const res = await api('/upload', { method: 'POST', body: JSON.stringify({ filename, mimeType: 'application/octet-stream', size }) });
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      };

      // A file that is ready before the crash.
      const kept = randomBytes(300_000);
      const keptId = await create('kept.bin', kept.length);
      const put = await api(`/files/${keptId}/content`, { method: 'PUT', body: kept, headers: { 'content-type': 'application/octet-stream' } });
      expect(put.status).toBe(200);

      // A large upload, killed part-way through.
      const size = 8 * 1024 * 1024;
      const crashedId = await create('crashed.bin', size);
      const { port } = new URL(app.url);
      const req = httpRequest({
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/api/v1/storage/files/${crashedId}/content`,
        headers: { 'x-api-key': key, 'content-length': size },
      });
      req.on('error', () => undefined); // the server is about to vanish
      const chunk = randomBytes(256 * 1024);
      for (let sent = 0; sent < 3 * 1024 * 1024; sent += chunk.length) {
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      await until(async () => (await blobEntries({ dataDir }, crashedId)).some((f) => f.endsWith('.part')), 10_000, 'the upload is streaming');
      const partial = await blobEntries({ dataDir }, crashedId);
      app.child.kill('SIGKILL');
      expect((await app.exited).signal).toBe('SIGKILL');
      req.destroy();
      // Bytes had reached the disk, but only as an unfinished part file.
      expect(partial.length).toBeGreaterThan(0);
      expect(partial.every((f) => f.endsWith('.part'))).toBe(true);

      // Restart on the same database and data dir.
      const t = await startTestApp({ databaseUrl, dataDir, env: ADMIN });
      try {
        const get = (path: string) => request(t.http).get(`/api/v1/storage${path}`).set('x-api-key', key);
        const crashed = await get(`/files/${crashedId}`).expect(200);
        expect(crashed.body).toMatchObject({ id: crashedId, status: 'pending', sha256: null });
        await get(`/files/${crashedId}/content`).expect(409);
        const listed = await get('/files').expect(200);
        expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([keptId]);
        const content = await get(`/files/${keptId}/content`).buffer(true).parse((res, cb) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => cb(null, Buffer.concat(chunks)));
        }).expect(200);
        expect(sha256(content.body as Buffer)).toBe(sha256(kept));

        // Once its time is up, the abandoned upload and its partial bytes are swept.
        const dayAfter = new Date(Date.now() + 25 * 3600_000);
        expect(await t.app.get(PendingUploadSweeper).sweep(dayAfter)).toBe(1);
        await get(`/files/${crashedId}`).expect(404);
        expect(await blobEntries({ dataDir }, crashedId)).toEqual([]);
        await get(`/files/${keptId}`).expect(200);
      } finally {
        await t.close();
      }
    } finally {
      await dropTestDatabase(databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
