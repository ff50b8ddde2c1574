import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';
import { Clock } from '../src/common/clock';
import { PendingUploadSweeper } from '../src/storage/pending-upload.sweeper';
import { adminActor, createApiKey, createManager } from './support/factories';
import { blobEntries, randomContent, sha256, StorageClient, type FileMeta } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

type Page = { items: FileMeta[]; nextCursor: string | null };
const ERROR_BODY = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String) };

describe('Storage files: metadata, listing, isolation, deletion, expiry (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.destroy();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  /** A fresh owner with its own key: each test sees only its own files. */
  const newOwner = async (): Promise<StorageClient> =>
    StorageClient.for(t, (await createApiKey(t, await createManager(t))).key);

  const listAll = async (c: StorageClient, query: string): Promise<{ ids: string[]; pages: number }> => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: { status: number; body: Page } = await c.json<Page>(
        'GET',
        `/api/v1/storage/files?${query}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((f) => f.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    return { ids, pages };
  };

  describe('GET /files/{id}', () => {
    it('answers the metadata', async () => {
      const c = await newOwner();
      const bytes = randomContent(42);
      const file = await c.upload(bytes, { filename: 'a.txt', mimeType: 'text/plain' });
      const res = await c.json('GET', `/api/v1/storage/files/${file.id}`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: file.id,
        filename: 'a.txt',
        mimeType: 'text/plain',
        size: 42,
        status: 'ready',
        sha256: sha256(bytes),
        createdAt: file.createdAt,
        uploadedAt: file.uploadedAt,
        uploadedBy: file.uploadedBy,
      });
      expect(file.uploadedBy).toEqual({ keyId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: expect.any(String) });
    });

    it('answers 404 for an unknown id', async () => {
      const c = await newOwner();
      const res = await c.json('GET', `/api/v1/storage/files/${randomUUID()}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'File not found' });
    });
  });

  describe('GET /files', () => {
    it('lists ready files newest first; status=all adds pending ones', async () => {
      const c = await newOwner();
      const a = await c.upload(Buffer.from('a'));
      const pending = await c.start({ size: 1 });
      const b = await c.upload(Buffer.from('b'));
      const ready = await c.json<Page>('GET', '/api/v1/storage/files');
      expect(ready.status).toBe(200);
      expect(ready.body).toEqual({ items: [b, a], nextCursor: null });
      const all = await c.json<Page>('GET', '/api/v1/storage/files?status=all');
      expect(all.body.items.map((f) => [f.id, f.status])).toEqual([
        [b.id, 'ready'],
        [pending.id, 'pending'],
        [a.id, 'ready'],
      ]);
      expect((await c.json<Page>('GET', '/api/v1/storage/files?status=ready')).body.items).toHaveLength(2);
    });

    it('pages through every file exactly once, in order, with no offsets', async () => {
      const c = await newOwner();
      const created: string[] = [];
      for (let i = 0; i < 23; i++) created.push((await c.upload(Buffer.from(String(i)))).id);
      const { ids, pages } = await listAll(c, 'limit=7');
      expect(pages).toBe(4);
      expect(ids).toEqual([...created].reverse());
      expect((await c.json<Page>('GET', '/api/v1/storage/files')).body.items).toHaveLength(20);
      expect((await c.json<Page>('GET', '/api/v1/storage/files?limit=100')).body.items).toHaveLength(23);
    });

    it('loses and repeats nothing while files are added between pages', async () => {
      const c = await newOwner();
      const original: string[] = [];
      for (let i = 0; i < 10; i++) original.push((await c.upload(Buffer.from(String(i)))).id);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { body: Page } = await c.json<Page>('GET', `/api/v1/storage/files?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...res.body.items.map((f) => f.id));
        cursor = res.body.nextCursor;
        await c.upload(Buffer.from('new'));
      } while (cursor);
      expect(seen).toEqual([...original].reverse());
    });

    it('orders ties on created_at by id, and keeps microseconds apart', async () => {
      const c = await newOwner();
      const files: string[] = [];
      for (let i = 0; i < 6; i++) files.push((await c.upload(Buffer.from(String(i)))).id);
      // Three share one instant; three are 1 µs apart within one millisecond.
      await t.sql(`UPDATE stored_files SET created_at = '2026-01-01T00:00:00.123456Z' WHERE id = ANY($1)`, [files.slice(0, 3)]);
      for (const [i, id] of files.slice(3).entries()) {
        await t.sql(`UPDATE stored_files SET created_at = $2::timestamptz WHERE id = $1`, [id, `2026-01-01T00:00:00.12346${i}Z`]);
      }
      const expected = [...files.slice(3).reverse(), ...files.slice(0, 3).sort().reverse()];
      expect((await listAll(c, 'limit=1')).ids).toEqual(expected);
      expect((await listAll(c, 'limit=2')).ids).toEqual(expected);
    });

    it.each([
      ['limit=0'],
      ['limit=101'],
      ['limit=abc'],
      ['limit=1.5'],
      ['limit=-1'],
      ['cursor=not-a-cursor'],
      ['cursor=' + Buffer.from('2026-01-01T00:00:00.000000Z|x').toString('base64url')],
      ['status=pending'],
      ['offset=10'],
    ])('answers 400 to %s', async (query) => {
      const c = await newOwner();
      const res = await c.json('GET', `/api/v1/storage/files?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ ...ERROR_BODY, statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('GET /usage', () => {
    it('counts the owner\'s ready files and their bytes', async () => {
      const c = await newOwner();
      expect((await c.json('GET', '/api/v1/storage/usage')).body).toEqual({ fileCount: 0, totalBytes: 0 });
      await c.upload(randomContent(1000));
      await c.upload(randomContent(24));
      await c.upload(Buffer.alloc(0));
      await c.start({ size: 5000 });
      const res = await c.json('GET', '/api/v1/storage/usage');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ fileCount: 3, totalBytes: 1024 });
    });
  });

  describe('DELETE /files/{id}', () => {
    it('deletes the file and its blob (204); afterwards 404 everywhere', async () => {
      const c = await newOwner();
      const file = await c.upload(randomContent(5000));
      expect(await blobEntries(t, file.id)).toHaveLength(1);
      const res = await request(c.base).delete(`/api/v1/storage/files/${file.id}`).set('x-api-key', c.key);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await blobEntries(t, file.id)).toEqual([]);
      expect((await c.json('GET', `/api/v1/storage/files/${file.id}`)).status).toBe(404);
      expect((await c.download(file.id)).status).toBe(404);
      expect((await c.json('DELETE', `/api/v1/storage/files/${file.id}`)).status).toBe(404);
      expect((await c.json<Page>('GET', '/api/v1/storage/files?status=all')).body.items).toEqual([]);
      expect((await c.json('GET', '/api/v1/storage/usage')).body).toEqual({ fileCount: 0, totalBytes: 0 });
    });

    it('cancels a pending upload: its PUT then answers 404', async () => {
      const c = await newOwner();
      const pending = await c.start({ size: 3 });
      expect((await c.json('DELETE', `/api/v1/storage/files/${pending.id}`)).status).toBe(204);
      expect((await c.put(pending.id, Buffer.from('abc'))).status).toBe(404);
      expect(await blobEntries(t, pending.id)).toEqual([]);
    });
  });

  describe('owner isolation', () => {
    it('another owner\'s key gets 404 on every route and never sees the files', async () => {
      const mine = await newOwner();
      const theirs = await newOwner();
      const bytes = randomContent(100);
      const ready = await mine.upload(bytes);
      const pending = await mine.start({ size: 3 });

      for (const id of [ready.id, pending.id]) {
        expect((await theirs.json('GET', `/api/v1/storage/files/${id}`)).status).toBe(404);
        const download = await theirs.download(id);
        expect(download.status).toBe(404);
        expect(JSON.parse(download.body.toString())).toEqual({ statusCode: 404, error: 'Not Found', message: 'File not found' });
        expect((await theirs.put(id, Buffer.from('abc'))).status).toBe(404);
        expect((await theirs.json('DELETE', `/api/v1/storage/files/${id}`)).status).toBe(404);
      }
      expect((await theirs.json<Page>('GET', '/api/v1/storage/files?status=all')).body).toEqual({ items: [], nextCursor: null });
      expect((await theirs.json('GET', '/api/v1/storage/usage')).body).toEqual({ fileCount: 0, totalBytes: 0 });

      // Nothing they tried changed anything.
      expect(sha256((await mine.download(ready.id)).body)).toBe(sha256(bytes));
      expect((await mine.json('GET', `/api/v1/storage/files/${pending.id}`)).body).toMatchObject({ status: 'pending' });
      expect((await mine.put(pending.id, Buffer.from('abc'))).status).toBe(200);
    });

    it('another key of the same owner sees the same files', async () => {
      const owner = await createManager(t);
      const one = await StorageClient.for(t, (await createApiKey(t, owner)).key);
      const two = await StorageClient.for(t, (await createApiKey(t, owner)).key);
      const file = await one.upload(Buffer.from('shared'));
      expect((await two.download(file.id)).body.toString()).toBe('shared');
    });

    it('even an admin\'s key sees only the admin\'s own files', async () => {
      const mine = await newOwner();
      const file = await mine.upload(Buffer.from('x'));
      const admin = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
      expect((await admin.json('GET', `/api/v1/storage/files/${file.id}`)).status).toBe(404);
    });
  });

  describe('ids', () => {
    it.each([
      ['GET', '/api/v1/storage/files/not-a-uuid'],
      ['GET', '/api/v1/storage/files/not-a-uuid/content'],
      ['PUT', '/api/v1/storage/files/not-a-uuid/content'],
      ['DELETE', '/api/v1/storage/files/not-a-uuid'],
      ['GET', '/api/v1/storage/files/1234/content'],
    ])('%s %s answers 400', async (method, path) => {
      const c = await newOwner();
      const res = await c.json(method, path);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ ...ERROR_BODY, statusCode: 400, error: 'Bad Request' });
    });
  });

  describe('expiry', () => {
    it('a pending upload expires after EDS_PENDING_UPLOAD_TTL_SECONDS (default 24 h)', async () => {
      const c = await newOwner();
      const pending = await c.start({ size: 1 });
      expect(Date.parse(pending.expiresAt!) - Date.parse(pending.createdAt)).toBeGreaterThan(24 * 3600_000 - 5_000);
      expect(Date.parse(pending.expiresAt!) - Date.parse(pending.createdAt)).toBeLessThan(24 * 3600_000 + 5_000);
    });

    it('the sweeper removes expired pending uploads and their partial blobs, and nothing else', async () => {
      const c = await newOwner();
      const expired = await c.start({ size: 10 });
      const ready = await c.upload(Buffer.from('keep'));
      // What a crash mid-upload leaves: a temp file beside the blobs (and, from an older EDS, in the upload's folder).
      const shard = join(t.dataDir, 'blobs', expired.id.slice(0, 3));
      const dir = join(t.dataDir, 'blobs', expired.id.slice(0, 2), expired.id);
      await mkdir(shard, { recursive: true });
      await mkdir(dir, { recursive: true });
      await writeFile(join(shard, `${expired.id}.${randomUUID()}.part`), 'partial');
      await writeFile(join(dir, `${randomUUID()}.part`), 'partial');

      const clock = t.app.get(Clock);
      const later = new Date(Date.parse(expired.expiresAt!) + 1000);
      jest.spyOn(clock, 'now').mockReturnValue(later);
      // Created "now" by the moved clock: not yet expired at `later`.
      const fresh = await c.start({ size: 10 });

      const sweeper = t.app.get(PendingUploadSweeper);
      expect(await sweeper.sweep(later)).toBeGreaterThanOrEqual(1);
      expect((await c.json('GET', `/api/v1/storage/files/${expired.id}`)).status).toBe(404);
      expect(await blobEntries(t, expired.id)).toEqual([]);
      expect((await c.json('GET', `/api/v1/storage/files/${fresh.id}`)).body).toMatchObject({ status: 'pending' });
      expect((await c.download(ready.id)).body.toString()).toBe('keep');
      expect(await sweeper.sweep(later)).toBe(0);
    });

    it('runs on a schedule in every instance, beside the expired-key and expired-session sweeps', () => {
      expect(t.app.get(SchedulerRegistry).getIntervals().sort()).toEqual([
        'api-key-expiry-sweep',
        'blob-reconcile',
        'expired-session-sweep',
        'expired-upload-sweep',
        'failure-counter-sweep',
      ]);
    });
  });
});

describe('Storage configuration (e2e)', () => {
  it('EDS_PENDING_UPLOAD_TTL_SECONDS sets how long an upload stays open', async () => {
    const t = await startTestApp({ env: { EDS_PENDING_UPLOAD_TTL_SECONDS: '120' } });
    try {
      const c = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
      const pending = await c.start({ size: 1 });
      expect(Date.parse(pending.expiresAt!) - Date.parse(pending.createdAt)).toBeGreaterThan(115_000);
      expect(Date.parse(pending.expiresAt!) - Date.parse(pending.createdAt)).toBeLessThan(125_000);
    } finally {
      await t.destroy();
    }
  });
});

describe('Storage across a restart (e2e)', () => {
  it('keeps every ready file byte for byte, and pending uploads stay open', async () => {
    const first = await startTestApp();
    let second: TestApp | undefined;
    try {
      const { key } = await createApiKey(first, await adminActor(first));
      let c = await StorageClient.for(first, key);
      const contents = [randomContent(0), randomContent(1), randomContent(3 * 1024 * 1024 + 1)];
      const files = [];
      for (const bytes of contents) files.push(await c.upload(bytes));
      const pending = await c.start({ size: 3 });
      await first.close();

      second = await startTestApp({ databaseUrl: first.databaseUrl, dataDir: first.dataDir });
      c = await StorageClient.for(second, key);
      for (const [i, file] of files.entries()) {
        const down = await c.download(file.id);
        expect(down.status).toBe(200);
        expect(sha256(down.body)).toBe(sha256(contents[i]));
      }
      expect((await c.put(pending.id, Buffer.from('abc'))).status).toBe(200);
      expect((await c.json('GET', '/api/v1/storage/usage')).body).toEqual({
        fileCount: 4,
        totalBytes: 3 * 1024 * 1024 + 2 + 3,
      });
    } finally {
      await second?.destroy();
      await first.destroy();
    }
  });
});
