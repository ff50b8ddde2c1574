import { parse as parseContentDisposition } from 'content-disposition';
import { request as httpRequest } from 'node:http';
import { Transform } from 'node:stream';
import request from 'supertest';
import { Clock } from '../src/common/clock';
import { StoredFileRepository } from '../src/storage/stored-file.repository';
import { BlobStore } from '../src/storage/blob/blob-store';
import { FileReadStream } from '../src/storage/blob/file-read-stream';
import { adminActor, createApiKey } from './support/factories';
import { blobEntries, randomContent, sha256, StorageClient } from './support/storage-client';
import { until } from './support/wait';
import { startTestApp, type TestApp } from './support/test-app';

const KiB = 1024;
const MiB = 1024 * KiB;
const ERROR_BODY = { statusCode: expect.any(Number), error: expect.any(String), message: expect.any(String) };

/** A body sent chunked (no Content-Length), as a client streaming from a pipe would. */
const chunked = (...chunks: Buffer[]): ReadableStream<Uint8Array> =>
  new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new Uint8Array(chunk));
      controller.close();
    },
  });

describe('Storage content: uploads and downloads (e2e)', () => {
  let t: TestApp;
  let c: StorageClient;

  beforeAll(async () => {
    t = await startTestApp();
    c = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
  });
  afterAll(async () => {
    await t.destroy();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  const status = async (id: string): Promise<string> =>
    (await t.sql<{ status: string }>(`SELECT status FROM stored_files WHERE id = $1`, [id]))[0].status;

  describe('round trips', () => {
    it.each([
      ['empty', 0],
      ['one byte', 1],
      ['1 KiB', KiB],
      ['1 MiB + 17', MiB + 17],
      ['20 MiB + 3', 20 * MiB + 3],
    ])('stores and returns the same bytes: %s', async (_label, size) => {
      const bytes = randomContent(size);
      const pending = await c.start({ size, filename: `round-${size}.bin`, sha256: sha256(bytes) });
      expect(pending).toMatchObject({ status: 'pending', sha256: null, uploadMethod: 'PUT' });

      const put = await c.put(pending.id, bytes, { 'content-type': 'application/octet-stream' });
      expect(put.status).toBe(200);
      expect(put.body).toEqual({
        id: pending.id,
        filename: `round-${size}.bin`,
        mimeType: 'application/octet-stream',
        size,
        status: 'ready',
        sha256: sha256(bytes),
        createdAt: pending.createdAt,
        uploadedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        uploadedBy: pending.uploadedBy,
      });

      const down = await c.download(pending.id);
      expect(down.status).toBe(200);
      expect(down.headers.get('content-length')).toBe(String(size));
      expect(down.headers.get('etag')).toBe(`"${sha256(bytes)}"`);
      expect(down.body.length).toBe(size);
      expect(sha256(down.body)).toBe(sha256(bytes));
      expect(await blobEntries(t, pending.id)).toHaveLength(1);
    }, 60_000);

    it.each([
      ['no Content-Type', {}],
      ['text/plain', { 'content-type': 'text/plain' }],
      ['application/json (and not JSON, and over the 64 KiB JSON limit)', { 'content-type': 'application/json' }],
      ['multipart/form-data', { 'content-type': 'multipart/form-data; boundary=xyz' }],
      ['a malformed Content-Type', { 'content-type': 'this is not a media type' }],
    ])('takes the raw body with %s', async (_label, headers) => {
      const bytes = randomContent(100 * KiB);
      const pending = await c.start({ size: bytes.length });
      const put = await c.put(pending.id, bytes, headers);
      expect(put.status).toBe(200);
      expect(put.body.sha256).toBe(sha256(bytes));
      expect(sha256((await c.download(pending.id)).body)).toBe(sha256(bytes));
    });

    it('takes a chunked body (no Content-Length)', async () => {
      const bytes = randomContent(300 * KiB);
      const pending = await c.start({ size: bytes.length });
      const put = await c.put(pending.id, chunked(bytes.subarray(0, 1000), bytes.subarray(1000)));
      expect(put.status).toBe(200);
      expect(put.body.sha256).toBe(sha256(bytes));
    });

    it('accepts a declared sha256 in upper case', async () => {
      const bytes = randomContent(10);
      const pending = await c.start({ size: 10, sha256: sha256(bytes).toUpperCase() });
      expect((await c.put(pending.id, bytes)).status).toBe(200);
    });

    it('stores parallel uploads side by side', async () => {
      const contents = Array.from({ length: 10 }, (_, i) => randomContent(256 * KiB + i));
      const files = await Promise.all(contents.map((bytes, i) => c.upload(bytes, { filename: `parallel-${i}.bin` })));
      for (const [i, file] of files.entries()) {
        expect(file).toMatchObject({ status: 'ready', sha256: sha256(contents[i]), filename: `parallel-${i}.bin` });
        expect(sha256((await c.download(file.id)).body)).toBe(sha256(contents[i]));
      }
    });
  });

  describe('refused uploads leave the file pending and no bytes behind', () => {
    const expectUntouched = async (id: string): Promise<void> => {
      expect(await status(id)).toBe('pending');
      expect(await blobEntries(t, id)).toEqual([]);
      const meta = await c.json('GET', `/api/v1/storage/files/${id}`);
      expect(meta.body).toMatchObject({ status: 'pending', sha256: null, uploadedAt: null });
    };

    it('a short body (400), then the right one is accepted', async () => {
      const bytes = randomContent(1000);
      const pending = await c.start({ size: 1000 });
      const put = await c.put(pending.id, bytes.subarray(0, 999));
      expect(put.status).toBe(400);
      expect(put.body).toEqual({ ...ERROR_BODY, statusCode: 400, error: 'Bad Request' });
      await expectUntouched(pending.id);
      expect((await c.put(pending.id, bytes)).status).toBe(200);
    });

    it('a long body (413)', async () => {
      const pending = await c.start({ size: 1000 });
      const put = await c.put(pending.id, randomContent(1001));
      expect(put.status).toBe(413);
      expect(put.body).toEqual({ ...ERROR_BODY, statusCode: 413, error: 'Payload Too Large' });
      await expectUntouched(pending.id);
    });

    it('an empty body for a non-empty file (400)', async () => {
      const pending = await c.start({ size: 5 });
      expect((await c.put(pending.id, Buffer.alloc(0))).status).toBe(400);
      await expectUntouched(pending.id);
    });

    it('a short chunked body (400)', async () => {
      const pending = await c.start({ size: 100 * KiB });
      const put = await c.put(pending.id, chunked(randomContent(50 * KiB), randomContent(50 * KiB - 1)));
      expect(put.status).toBe(400);
      expect((put.body as unknown as { message: string }).message).toMatch(/102399 bytes but the upload declared 102400/);
      await expectUntouched(pending.id);
    });

    it('a long chunked body (413)', async () => {
      const pending = await c.start({ size: 100 * KiB });
      const put = await c.put(pending.id, chunked(randomContent(50 * KiB), randomContent(50 * KiB + 1)));
      expect(put.status).toBe(413);
      await expectUntouched(pending.id);
    });

    it('a checksum mismatch (400); the right bytes are then accepted', async () => {
      const bytes = randomContent(64 * KiB);
      const pending = await c.start({ size: bytes.length, sha256: sha256(bytes) });
      const wrong = Buffer.from(bytes);
      wrong[wrong.length - 1] ^= 0xff;
      const put = await c.put(pending.id, wrong);
      expect(put.status).toBe(400);
      expect((put.body as unknown as { message: string }).message).toMatch(/SHA-256/);
      await expectUntouched(pending.id);
      const retry = await c.put(pending.id, bytes);
      expect(retry.status).toBe(200);
      expect(retry.body.sha256).toBe(sha256(bytes));
    });

    it('a client that goes away mid-upload', async () => {
      const pending = await c.start({ size: 4 * MiB });
      const url = new URL(`/api/v1/storage/files/${pending.id}/content`, c.base);
      const req = httpRequest(url, {
        method: 'PUT',
        headers: { 'x-api-key': c.key, 'content-length': String(4 * MiB) },
      });
      req.on('error', () => undefined);
      req.write(randomContent(MiB));
      // The server is writing: a temp file exists. Then the client vanishes.
      await until(async () => (await blobEntries(t, pending.id)).some((f) => f.endsWith('.part')), 10_000, 'the upload is streaming');
      req.destroy();
      await until(async () => (await blobEntries(t, pending.id)).length === 0, 10_000, 'the temp file is gone');
      expect(await status(pending.id)).toBe('pending');
      // And the upload can still be done properly.
      expect((await c.put(pending.id, randomContent(4 * MiB))).status).toBe(200);
    });

    it('a failing disk: 500, the file stays pending, no temp file', async () => {
      const pending = await c.start({ size: 300 * KiB });
      const store = t.app.get(BlobStore);
      const write = store.write.bind(store);
      // The disk fails after the first chunk reached the temp file.
      jest.spyOn(store, 'write').mockImplementation((key, body) => {
        let seen = 0;
        let failed = false;
        // Fails once, then takes nothing more (a dead disk does not fail twice for the same write).
        const failing = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            seen += chunk.length;
            if (failed) return callback();
            if (seen > 64 * KiB) {
              failed = true;
              return callback(new Error('EIO: simulated'));
            }
            callback(null, chunk);
          },
        });
        // The failure may come before the store's pipeline listens (it awaits its directory first);
        // the pipeline still sees it (the stream is errored), so nothing here is swallowed.
        failing.on('error', () => undefined);
        return write(key, body.pipe(failing));
      });
      const put = await c.put(pending.id, randomContent(300 * KiB));
      expect(put.status).toBe(500);
      expect(put.body).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
      expect(await status(pending.id)).toBe('pending');
      expect(await blobEntries(t, pending.id)).toEqual([]);
    });

    it('a crash between the durable blob and the commit: the file is not ready and its blob is dropped', async () => {
      const pending = await c.start({ size: 100 });
      jest.spyOn(t.app.get(StoredFileRepository), 'markReady').mockRejectedValueOnce(new Error('connection lost'));
      expect((await c.put(pending.id, randomContent(100))).status).toBe(500);
      expect(await status(pending.id)).toBe('pending');
      expect(await blobEntries(t, pending.id)).toEqual([]);
    });
  });

  describe('write-once and expiry', () => {
    it('a second PUT on a ready file is 409 and the content stays', async () => {
      const bytes = randomContent(100);
      const file = await c.upload(bytes);
      const again = await c.put(file.id, randomContent(100));
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ ...ERROR_BODY, statusCode: 409, error: 'Conflict' });
      expect(sha256((await c.download(file.id)).body)).toBe(sha256(bytes));
      expect(await blobEntries(t, file.id)).toHaveLength(1);
    });

    it('two PUTs racing on one pending file: one wins, the other is 409, one blob is kept', async () => {
      const [a, b] = [randomContent(2 * MiB), randomContent(2 * MiB)];
      const pending = await c.start({ size: 2 * MiB });
      const answers = await Promise.all([c.put(pending.id, a), c.put(pending.id, b)]);
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = answers.find((r) => r.status === 200)!.body;
      expect([sha256(a), sha256(b)]).toContain(winner.sha256);
      expect(sha256((await c.download(pending.id)).body)).toBe(winner.sha256);
      expect(await blobEntries(t, pending.id)).toHaveLength(1);
    });

    it('a PUT after the upload expired is 410', async () => {
      const pending = await c.start({ size: 3 });
      jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(new Date(Date.parse(pending.expiresAt!) + 1));
      const put = await c.put(pending.id, Buffer.from('abc'));
      expect(put.status).toBe(410);
      expect(put.body).toEqual({ ...ERROR_BODY, statusCode: 410, error: 'Gone' });
      expect(await status(pending.id)).toBe('pending');
    });
  });

  describe('downloads', () => {
    let bytes: Buffer;
    let id: string;
    let etag: string;

    beforeAll(async () => {
      bytes = randomContent(10_000);
      const file = await c.upload(bytes, { filename: 'page.html', mimeType: 'text/html; charset=utf-8' });
      id = file.id;
      etag = `"${file.sha256}"`;
    });

    it('answers the declared type, as an attachment that cannot run as our origin', async () => {
      const down = await c.download(id);
      expect(down.status).toBe(200);
      expect(down.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(down.headers.get('content-disposition')).toMatch(/^attachment; /);
      expect(down.headers.get('x-content-type-options')).toBe('nosniff');
      expect(down.headers.get('content-security-policy')).toBe('sandbox');
      expect(down.headers.get('accept-ranges')).toBe('bytes');
      // Revalidated by ETag, not the API's default no-store.
      expect(down.headers.get('cache-control')).toBe('private, no-cache');
    });

    it('answers HEAD with the GET\'s headers and reads none of the bytes', async () => {
      const get = await c.download(id);
      const reads = jest.spyOn(FileReadStream.prototype, '_read');
      const sends = jest.spyOn(FileReadStream.prototype, 'pipe');
      const head = await fetch(`${c.base}/api/v1/storage/files/${id}/content`, { method: 'HEAD', headers: { 'x-api-key': c.key } });
      expect(head.status).toBe(200);
      for (const name of ['content-length', 'content-type', 'etag', 'content-disposition', 'accept-ranges', 'last-modified']) {
        expect(head.headers.get(name)).toBe(get.headers.get(name));
      }
      expect(head.headers.get('content-length')).toBe('10000');
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      // Fastify's own HEAD handling would have read the stream to its end.
      expect(sends).not.toHaveBeenCalled();
      expect(reads).not.toHaveBeenCalled();
    });

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=9990-', 9990, 9999],
      ['bytes=-10', 9990, 9999],
      ['bytes=5000-5000', 5000, 5000],
      ['bytes=9000-20000', 9000, 9999],
    ])('serves Range %s as 206', async (range, start, end) => {
      const down = await c.download(id, { range });
      expect(down.status).toBe(206);
      expect(down.headers.get('content-range')).toBe(`bytes ${start}-${end}/10000`);
      expect(down.headers.get('content-length')).toBe(String(end - start + 1));
      expect(down.body).toEqual(bytes.subarray(start, end + 1));
    });

    it.each([['bytes=10000-'], ['bytes=20000-30000'], ['bytes=-0']])('answers 416 for %s', async (range) => {
      const res = await request(c.base).get(`/api/v1/storage/files/${id}/content`).set('x-api-key', c.key).set('range', range);
      expect(res.status).toBe(416);
      expect(res.headers['content-range']).toBe('bytes */10000');
      expect(res.body).toEqual({ ...ERROR_BODY, statusCode: 416, error: 'Range Not Satisfiable' });
    });

    it('answers the whole file for several ranges or a malformed one', async () => {
      for (const range of ['bytes=0-1,5-6', 'lines=1-2', 'bytes=5-1']) {
        const down = await c.download(id, { range });
        expect({ range, status: down.status, length: down.body.length }).toEqual({ range, status: 200, length: 10_000 });
      }
    });

    it('honours If-Range: a stale ETag gets the whole file', async () => {
      expect((await c.download(id, { range: 'bytes=0-9', 'if-range': etag })).status).toBe(206);
      const stale = await c.download(id, { range: 'bytes=0-9', 'if-range': `"${'0'.repeat(64)}"` });
      expect(stale.status).toBe(200);
      expect(stale.body.length).toBe(10_000);
    });

    it('answers 304 to If-None-Match with the ETag, 200 otherwise', async () => {
      for (const header of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
        const down = await c.download(id, { 'if-none-match': header });
        expect({ header, status: down.status, length: down.body.length }).toEqual({ header, status: 304, length: 0 });
        expect(down.headers.get('etag')).toBe(etag);
      }
      expect((await c.download(id, { 'if-none-match': `"${'0'.repeat(64)}"` })).status).toBe(200);
    });

    it('refuses a pending file\'s content with 409, never partial bytes', async () => {
      const pending = await c.start({ size: 10 });
      const down = await c.download(pending.id);
      expect(down.status).toBe(409);
      expect(JSON.parse(down.body.toString())).toEqual({ ...ERROR_BODY, statusCode: 409, error: 'Conflict' });
    });

    it.each([
      ['accents', 'résumé.pdf'],
      ['CJK', '日本語のファイル名.txt'],
      ['emoji', 'report 📄🚀.bin'],
      ['right-to-left', 'ملف عربي.txt'],
      ['decomposed accents', 'cafe\u0301.txt'],
      ['quotes and backslashes', 'say "hi" \\ bye.txt'],
      ['percent, semicolons and commas', '100% done; a,b=c.txt'],
      ['apostrophes and stars', "it's*.txt"],
    ])('round-trips a filename with %s through Content-Disposition', async (_label, filename) => {
      const file = await c.upload(Buffer.from('x'), { filename });
      expect(file.filename).toBe(filename);
      const header = (await c.download(file.id)).headers.get('content-disposition')!;
      expect(header).toContain("filename*=UTF-8''");
      const parsed = parseContentDisposition(header);
      expect(parsed.type).toBe('attachment');
      expect(parsed.parameters.filename).toBe(filename);
      // The blob's name on disk is ours, never the user's.
      expect(await blobEntries(t, file.id)).toEqual([expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    });
  });

  describe('keys', () => {
    it('PUT and GET content need a key (401), checked before the body is read', async () => {
      const pending = await c.start({ size: 3 });
      const put = await request(c.base).put(`/api/v1/storage/files/${pending.id}/content`).send(Buffer.from('abc'));
      expect(put.status).toBe(401);
      expect(put.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key' });
      const get = await request(c.base).get(`/api/v1/storage/files/${pending.id}/content`);
      expect(get.status).toBe(401);
      expect(await status(pending.id)).toBe('pending');
    });
  });
});
