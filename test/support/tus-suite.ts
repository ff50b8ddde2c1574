import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { ApiKeysService } from '../../src/api-keys/api-keys.service';
import { Clock } from '../../src/common/clock';
import { BlobStore } from '../../src/storage/blob/blob-store';
import { PendingUploadSweeper } from '../../src/storage/pending-upload.sweeper';
import { HeldHashes } from '../../src/storage/tus/tus-append';
import { adminActor, createApiKey, createManager } from './factories';
import { baseUrl, randomContent, sha256, StorageClient } from './storage-client';
import type { TestApp } from './test-app';
import { idOf, metadata, OCTETS, TusClient } from './tus-client';

const KiB = 1024;
const MiB = 1024 * KiB;
const FileUrlStorage = (tus as unknown as { FileUrlStorage: new (path: string) => tus.UrlStorage }).FileUrlStorage;

export interface TusSuiteHarness {
  t: TestApp;
  /** Everything the driver keeps for an upload id (blobs, runs, staging, multipart uploads). */
  leftovers(id: string): Promise<string[]>;
}

/**
 * The tus endpoint over real HTTP, the same for every blob driver
 * (test/tus.e2e-spec.ts: fs; test/tus-s3.e2e-spec.ts: S3 on moto).
 */
export function describeTusSuite(harness: () => TusSuiteHarness): void {
  let t: TestApp;
  let c: TusClient;
  let files: StorageClient;
  let base: string;
  let tmp: string;

  beforeAll(async () => {
    ({ t } = harness());
    base = await baseUrl(t);
    const { key } = await createApiKey(t, await adminActor(t));
    c = new TusClient(base, key);
    files = new StorageClient(base, key);
    tmp = await mkdtemp(join(tmpdir(), 'eds-tus-client-'));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });
  afterEach(() => jest.restoreAllMocks());

  const expectDownload = async (id: string, bytes: Buffer): Promise<void> => {
    const meta = await files.json<{ status: string; sha256: string; size: number }>('GET', `/api/v1/storage/files/${id}`);
    expect(meta.body).toMatchObject({ status: 'ready', sha256: sha256(bytes), size: bytes.length });
    const down = await files.download(id);
    expect(down.status).toBe(200);
    expect(sha256(down.body)).toBe(sha256(bytes));
  };

  describe('discovery and creation', () => {
    it('OPTIONS answers the capabilities, with the key; without it the 401 body', async () => {
      const res = await c.send('OPTIONS', c.endpoint, { 'tus-resumable': undefined });
      expect(res.status).toBe(204);
      expect(Object.fromEntries(['tus-resumable', 'tus-version', 'tus-extension', 'tus-max-size', 'tus-checksum-algorithm'].map((h) => [h, res.headers.get(h)]))).toEqual({
        'tus-resumable': '1.0.0',
        'tus-version': '1.0.0',
        'tus-extension': 'creation,creation-with-upload,termination,expiration,checksum,concatenation',
        'tus-max-size': String(5 * 1024 ** 3),
        'tus-checksum-algorithm': 'sha1,sha256',
      });
      const anonymous = await new TusClient(base, '').send('OPTIONS', c.endpoint, { 'x-api-key': undefined });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('tus-resumable')).toBe('1.0.0');
      expect(JSON.parse(anonymous.text)).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key' });
    });

    it('refuses a request without Tus-Resumable: 412 with Tus-Version', async () => {
      const res = await c.send('POST', c.endpoint, { 'tus-resumable': undefined, 'upload-length': '1', 'upload-metadata': metadata({ filename: 'a' }) });
      expect(res.status).toBe(412);
      expect(res.headers.get('tus-version')).toBe('1.0.0');
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: 412, error: 'Precondition Failed' });
    });

    it('creates a pending file at an absolute Location that HEAD describes', async () => {
      const meta = metadata({ filename: 'notes.txt', filetype: 'text/plain' });
      const res = await c.send('POST', c.endpoint, { 'upload-length': '10', 'upload-metadata': meta });
      expect(res.status).toBe(201);
      const location = res.headers.get('location')!;
      expect(location).toMatch(new RegExp(`^${base}/api/v1/storage/uploads/[0-9a-f-]{36}$`));
      expect(new Date(res.headers.get('upload-expires')!).getTime()).toBeGreaterThan(Date.now());
      const id = idOf(location);
      const file = await files.json('GET', `/api/v1/storage/files/${id}`);
      expect(file.body).toMatchObject({ id, filename: 'notes.txt', mimeType: 'text/plain', size: 10, status: 'pending' });
      expect((await files.put(id, Buffer.alloc(10))).status).toBe(409);
      const head = await c.head(id);
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      expect(head.headers.get('upload-offset')).toBe('0');
      expect(head.headers.get('upload-length')).toBe('10');
      expect(head.headers.get('upload-metadata')).toBe(meta);
      expect(head.headers.get('cache-control')).toBe('no-store');
      expect(head.headers.get('tus-resumable')).toBe('1.0.0');
    });

    it.each([
      ['no Upload-Length', { 'upload-metadata': metadata({ filename: 'a' }) }, 400],
      ['a negative Upload-Length', { 'upload-length': '-1', 'upload-metadata': metadata({ filename: 'a' }) }, 400],
      ['no filename', { 'upload-length': '1', 'upload-metadata': metadata({ filetype: 'text/plain' }) }, 400],
      ['a filename with a control character', { 'upload-length': '1', 'upload-metadata': metadata({ filename: 'a\nb' }) }, 400],
      ['metadata that is not Base64', { 'upload-length': '1', 'upload-metadata': 'filename not*base64' }, 400],
      ['a bad filetype', { 'upload-length': '1', 'upload-metadata': metadata({ filename: 'a', filetype: 'nope' }) }, 400],
      ['a bad sha256', { 'upload-length': '1', 'upload-metadata': metadata({ filename: 'a', sha256: 'abc' }) }, 400],
      ['Upload-Defer-Length', { 'upload-defer-length': '1', 'upload-metadata': metadata({ filename: 'a' }) }, 400],
      ['a length over the limit', { 'upload-length': String(5 * 1024 ** 3 + 1), 'upload-metadata': metadata({ filename: 'a' }) }, 413],
    ])('refuses a creation with %s', async (_label, headers, status) => {
      const res = await c.send('POST', c.endpoint, headers);
      expect(res.status).toBe(status);
      expect(JSON.parse(res.text)).toMatchObject({ statusCode: status });
    });

    it('makes Upload-Length: 0 ready at creation', async () => {
      const id = await c.create(0, { filename: 'empty' });
      await expectDownload(id, Buffer.alloc(0));
      expect(await c.offset(id)).toBe(0);
    });

    it('stores the bytes sent with the POST (creation-with-upload)', async () => {
      const bytes = randomContent(100 * KiB);
      const res = await c.send('POST', c.endpoint, { ...OCTETS, 'upload-length': String(bytes.length + 5), 'upload-metadata': metadata({ filename: 'w' }) }, bytes);
      expect(res.status).toBe(201);
      expect(res.headers.get('upload-offset')).toBe(String(bytes.length));
      const id = idOf(res.headers.get('location')!);
      const rest = randomContent(5);
      expect((await c.patch(id, bytes.length, rest)).status).toBe(204);
      await expectDownload(id, Buffer.concat([bytes, rest]));
    });

    describe('a whole file sent with its creation (Content-Length = Upload-Length)', () => {
      const blobCount = async (): Promise<number> => {
        let n = 0;
        for await (const blob of t.app.get(BlobStore).listBlobs()) if (blob) n++;
        return n;
      };
      const fileCount = async (): Promise<number> => {
        let n = 0;
        let cursor: string | null = null;
        do {
          const page: { body: { items: unknown[]; nextCursor: string | null } } = await files.json('GET', `/api/v1/storage/files?limit=100&status=all${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
          n += page.body.items.length;
          cursor = page.body.nextCursor;
        } while (cursor);
        return n;
      };
      const createWhole = (bytes: Buffer, meta: Record<string, string>, headers: Record<string, string> = {}) =>
        c.send('POST', c.endpoint, { ...OCTETS, 'upload-length': String(bytes.length), 'upload-metadata': metadata(meta), ...headers }, bytes);

      it('is ready when the POST answers, at its full offset, and cannot be patched again', async () => {
        const bytes = randomContent(64 * KiB + 3);
        const res = await createWhole(bytes, { filename: 'whole.bin', filetype: 'image/png', sha256: sha256(bytes) });
        expect(res.status).toBe(201);
        expect(res.headers.get('upload-offset')).toBe(String(bytes.length));
        // A complete upload does not expire (HEAD says the same).
        expect(res.headers.get('upload-expires')).toBeNull();
        const id = idOf(res.headers.get('location')!);
        await expectDownload(id, bytes);
        const meta = await files.json<{ filename: string; mimeType: string }>('GET', `/api/v1/storage/files/${id}`);
        expect(meta.body).toMatchObject({ filename: 'whole.bin', mimeType: 'image/png' });
        const head = await c.head(id);
        expect(head.status).toBe(200);
        expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
        expect(head.headers.get('upload-length')).toBe(String(bytes.length));
        expect(head.headers.get('upload-metadata')).toBe(metadata({ filename: 'whole.bin', filetype: 'image/png', sha256: sha256(bytes) }));
        expect((await c.patch(id, bytes.length, Buffer.from('x'))).status).toBe(409);
        expect((await harness().leftovers(id)).length).toBe(1);
        // Termination removes it like any upload.
        expect((await c.send('DELETE', `${c.endpoint}/${id}`)).status).toBe(204);
        expect((await files.json('GET', `/api/v1/storage/files/${id}`)).status).toBe(404);
        expect(await harness().leftovers(id)).toEqual([]);
      });

      it('checks Upload-Checksum (460) and then the declared sha256 (400); a refused or dropped body keeps nothing', async () => {
        const bytes = randomContent(40 * KiB);
        const [blobsBefore, filesBefore] = [await blobCount(), await fileCount()];
        const sha1 = createHash('sha1').update(bytes).digest('base64');
        const wrongSum = await createWhole(bytes, { filename: 'w' }, { 'upload-checksum': `sha1 ${createHash('sha1').update('other').digest('base64')}` });
        expect(wrongSum.status).toBe(460);
        expect(JSON.parse(wrongSum.text)).toMatchObject({ statusCode: 460, error: 'Checksum Mismatch' });
        const wrongSha = await createWhole(bytes, { filename: 'w', sha256: sha256(Buffer.from('other')) }, { 'upload-checksum': `sha1 ${sha1}` });
        expect(wrongSha.status).toBe(400);
        expect(JSON.parse(wrongSha.text).message).toMatch(/not the declared sha256/);
        await c.dropped('POST', c.endpoint, { ...OCTETS, 'upload-length': String(bytes.length), 'upload-metadata': metadata({ filename: 'cut' }) }, bytes, 10 * KiB);
        await new Promise((r) => setTimeout(r, 300));
        expect(await blobCount()).toBe(blobsBefore);
        expect(await fileCount()).toBe(filesBefore);
        const ok = await createWhole(bytes, { filename: 'w' }, { 'upload-checksum': `sha256 ${createHash('sha256').update(bytes).digest('base64')}` });
        expect(ok.status).toBe(201);
        await expectDownload(idOf(ok.headers.get('location')!), bytes);
      });
    });

    it('refuses a creation body of another type: 415', async () => {
      const res = await c.send('POST', c.endpoint, { 'content-type': 'text/plain', 'upload-length': '3', 'upload-metadata': metadata({ filename: 'a' }) }, Buffer.from('abc'));
      expect(res.status).toBe(415);
    });
  });

  describe('PATCH', () => {
    it('appends chunk after chunk; the last byte makes the file ready with its SHA-256', async () => {
      const bytes = randomContent(3 * MiB + 11);
      const id = await c.create(bytes.length, { filename: 'chunks.bin', sha256: sha256(bytes) });
      expect(await c.patchAll(id, bytes, 700 * KiB)).toBe(bytes.length);
      await expectDownload(id, bytes);
      expect((await harness().leftovers(id)).length).toBe(1);
      expect(await c.offset(id)).toBe(bytes.length);
      const usage = await files.json<{ fileCount: number }>('GET', '/api/v1/storage/usage');
      expect(usage.body.fileCount).toBeGreaterThan(0);
    });

    it('hashes the whole file right when another process continues it (its hash caught up from the stored bytes)', async () => {
      const bytes = randomContent(2 * MiB + 5);
      const id = await c.create(bytes.length, { filename: 'handed-over.bin', sha256: sha256(bytes) });
      const held = t.app.get(HeldHashes);
      expect((await c.patch(id, 0, bytes.subarray(0, 700 * KiB))).status).toBe(204);
      // As if the next PATCH reached another instance: this process holds no hash for the upload.
      held.clear();
      expect((await c.patch(id, 700 * KiB, bytes.subarray(700 * KiB, 1500 * KiB))).status).toBe(204);
      expect((await c.patch(id, 1500 * KiB, bytes.subarray(1500 * KiB, 1900 * KiB))).status).toBe(204);
      held.clear();
      expect((await c.patch(id, 1900 * KiB, bytes.subarray(1900 * KiB))).status).toBe(204);
      await expectDownload(id, bytes);
    });

    it('answers 409 for a wrong offset, 415 for another type, 413 past the length, and keeps the offset', async () => {
      const id = await c.create(10);
      expect((await c.patch(id, 0, Buffer.from('hello'))).status).toBe(204);
      const wrong = await c.patch(id, 3, Buffer.from('xx'));
      expect(wrong.status).toBe(409);
      expect(JSON.parse(wrong.text)).toMatchObject({ statusCode: 409, error: 'Conflict' });
      expect((await c.patch(id, 5, Buffer.from('xx'), { 'content-type': 'application/octet-stream' })).status).toBe(415);
      expect((await c.patch(id, 5, Buffer.from('123456'))).status).toBe(413);
      expect((await c.patch(id, 5, Buffer.from('x'), { 'upload-offset': 'five' })).status).toBe(400);
      expect((await c.patch(id, 5, Buffer.from('x'), { 'upload-offset': undefined })).status).toBe(400);
      expect(await c.offset(id)).toBe(5);
      expect((await c.patch(id, 5, Buffer.from('world'))).status).toBe(204);
      await expectDownload(id, Buffer.from('helloworld'));
      expect((await c.patch(id, 10, Buffer.from('x'))).status).toBe(409);
    });

    it('checks Upload-Checksum (sha1, sha256): 460 keeps the offset, an unknown algorithm is 400', async () => {
      const id = await c.create(8);
      const part = Buffer.from('abcd');
      const digest = (alg: string, b: Buffer) => createHash(alg).update(b).digest('base64');
      expect((await c.patch(id, 0, part, { 'upload-checksum': `sha1 ${digest('sha1', Buffer.from('nope'))}` })).status).toBe(460);
      expect(await c.offset(id)).toBe(0);
      expect((await c.patch(id, 0, part, { 'upload-checksum': `md5 ${digest('md5', part)}` })).status).toBe(400);
      expect((await c.patch(id, 0, part, { 'upload-checksum': `sha1 ${digest('sha1', part)}` })).status).toBe(204);
      const mismatch = await c.patch(id, 4, part, { 'upload-checksum': `sha256 ${digest('sha256', Buffer.from('x'))}` });
      expect(mismatch.status).toBe(460);
      expect(JSON.parse(mismatch.text)).toMatchObject({ statusCode: 460, error: 'Checksum Mismatch' });
      expect((await c.patch(id, 4, part, { 'upload-checksum': `sha256 ${digest('sha256', part)}` })).status).toBe(204);
      await expectDownload(id, Buffer.from('abcdabcd'));
    });

    it('answers 400 when the whole file is not the declared sha256, and removes the upload', async () => {
      const id = await c.create(4, { filename: 'x', sha256: sha256(Buffer.from('good')) });
      const res = await c.patch(id, 0, Buffer.from('evil'));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.text).message).toMatch(/not the declared sha256/);
      expect((await c.head(id)).status).toBe(404);
      expect((await files.json('GET', `/api/v1/storage/files/${id}`)).status).toBe(404);
      expect(await harness().leftovers(id)).toEqual([]);
    });

    it('finishes, on the next HEAD, an upload whose last byte was recorded just before a failure', async () => {
      const bytes = randomContent(200 * KiB);
      const id = await c.create(bytes.length, { filename: 'stranded.bin', sha256: sha256(bytes) });
      // As if the process died between recording the last offset and making the file ready.
      jest.spyOn(t.app.get(BlobStore), 'completeResumable').mockRejectedValueOnce(new Error('killed here'));
      expect((await c.patch(id, 0, bytes)).status).toBe(500);
      expect((await files.json('GET', `/api/v1/storage/files/${id}`)).body).toMatchObject({ status: 'pending' });
      const head = await c.head(id);
      expect(head.status).toBe(200);
      expect(head.headers.get('upload-offset')).toBe(String(bytes.length));
      await expectDownload(id, bytes);
    });

    it('honours X-HTTP-Method-Override', async () => {
      const id = await c.create(3);
      const res = await c.send('POST', `${c.endpoint}/${id}`, { ...OCTETS, 'x-http-method-override': 'PATCH', 'upload-offset': '0' }, Buffer.from('abc'));
      expect(res.status).toBe(204);
      expect(res.headers.get('upload-offset')).toBe('3');
      expect(new Date(res.headers.get('upload-expires')!).getTime()).toBeGreaterThan(0);
      await expectDownload(id, Buffer.from('abc'));
      expect((await c.send('POST', `${c.endpoint}/${id}`, { 'x-http-method-override': 'DELETE' })).status).toBe(204);
      expect((await c.head(id)).status).toBe(404);
    });

    it('lets one of two racing PATCHes win; the other gets 409 and no byte interleaves', async () => {
      const bytes = randomContent(256 * KiB);
      const id = await c.create(bytes.length);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      // A slow body: half now, the rest once the rival was answered.
      const slow = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(bytes.subarray(0, 128 * KiB));
          await gate;
          controller.enqueue(bytes.subarray(128 * KiB));
          controller.close();
        },
      });
      const first = fetch(`${base}${c.endpoint}/${id}`, {
        method: 'PATCH',
        headers: { 'x-api-key': c.key, 'tus-resumable': '1.0.0', ...OCTETS, 'upload-offset': '0' },
        body: slow,
        duplex: 'half',
      } as RequestInit);
      // The first holds the lease once HEAD… cannot tell; wait until its bytes are flowing.
      await new Promise((r) => setTimeout(r, 500));
      const rival = await c.patch(id, 0, randomContent(bytes.length));
      expect(rival.status).toBe(409);
      expect((await c.head(id)).status).toBe(200);
      release();
      const won = await first;
      expect(won.status).toBe(204);
      await expectDownload(id, bytes);
    });

    it('keeps the whole bytes of a dropped PATCH (no checksum) and frees the upload at once', async () => {
      const bytes = randomContent(1 * MiB);
      const id = await c.create(bytes.length);
      await c.droppedPatch(id, 0, bytes, 300 * KiB);
      const offset = await eventuallyOffset(c, id, (o) => o > 0);
      expect(offset).toBeLessThanOrEqual(300 * KiB);
      expect(await c.patchAll(id, bytes, 512 * KiB, offset)).toBe(bytes.length);
      await expectDownload(id, bytes);
    });

    it('keeps nothing of a dropped PATCH that carried Upload-Checksum (it cannot be verified)', async () => {
      const bytes = randomContent(1 * MiB);
      const id = await c.create(bytes.length);
      const checksum = `sha256 ${createHash('sha256').update(bytes).digest('base64')}`;
      await c.droppedPatch(id, 0, bytes, 300 * KiB, { 'upload-checksum': checksum });
      // Once the server has let go of the request, the next PATCH goes through at the old offset.
      let res = await c.patch(id, 0, bytes, { 'upload-checksum': checksum });
      for (let i = 0; res.status === 409 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await c.patch(id, 0, bytes, { 'upload-checksum': checksum });
      }
      expect(res.status).toBe(204);
      await expectDownload(id, bytes);
    });
  });

  describe('termination, scopes and owners', () => {
    it('DELETE removes the upload and its bytes', async () => {
      const id = await c.create(10);
      expect((await c.patch(id, 0, Buffer.from('12345'))).status).toBe(204);
      expect((await c.send('DELETE', `${c.endpoint}/${id}`)).status).toBe(204);
      expect((await c.head(id)).status).toBe(404);
      expect((await files.json('GET', `/api/v1/storage/files/${id}`)).status).toBe(404);
      expect(await harness().leftovers(id)).toEqual([]);
    });

    it('answers another owner 404, a key without the scope 403, and HEAD 401 without a body', async () => {
      const id = await c.create(10);
      const stranger = new TusClient(base, (await createApiKey(t, await createManager(t))).key);
      expect((await stranger.head(id)).status).toBe(404);
      expect((await stranger.patch(id, 0, Buffer.from('x'))).status).toBe(404);
      expect((await stranger.send('DELETE', `${c.endpoint}/${id}`)).status).toBe(404);
      const readOnly = new TusClient(base, (await t.app.get(ApiKeysService).generate(await adminActor(t), 'ro', { scopes: ['files:read'] })).plaintext);
      const refused = await readOnly.patch(id, 0, Buffer.from('x'));
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.text)).toEqual({ statusCode: 403, error: 'Forbidden', message: 'API key lacks scope files:write' });
      expect((await readOnly.send('POST', c.endpoint, { 'upload-length': '1', 'upload-metadata': metadata({ filename: 'a' }) })).status).toBe(403);
      const writeOnly = new TusClient(base, (await t.app.get(ApiKeysService).generate(await adminActor(t), 'wo', { scopes: ['files:write'] })).plaintext);
      expect((await writeOnly.send('DELETE', `${c.endpoint}/${id}`)).status).toBe(403);
      const anonymous = await c.head(id, { 'x-api-key': undefined });
      expect(anonymous.status).toBe(401);
      expect(anonymous.text).toBe('');
      expect((await c.head('not-a-uuid')).status).toBe(400);
    });

    it('answers 410 for an expired upload, and the sweeper removes it with its bytes', async () => {
      const id = await c.create(10);
      expect((await c.patch(id, 0, Buffer.from('12345'))).status).toBe(204);
      const later = new Date(Date.now() + 25 * 3600_000);
      jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(later);
      expect((await c.head(id)).status).toBe(410);
      expect((await c.patch(id, 5, Buffer.from('67890'))).status).toBe(410);
      await t.app.get(PendingUploadSweeper).sweep(later);
      expect((await c.head(id)).status).toBe(404);
      expect(await harness().leftovers(id)).toEqual([]);
    });
  });

  describe('concatenation', () => {
    const createPartial = async (bytes: Buffer): Promise<string> => {
      const res = await c.send('POST', c.endpoint, { 'upload-length': String(bytes.length), 'upload-concat': 'partial' });
      expect(res.status).toBe(201);
      const id = idOf(res.headers.get('location')!);
      if (bytes.length > 0) await c.patchAll(id, bytes, 400 * KiB);
      return id;
    };

    it('joins finished partials into one ready file; partials are never files and go once used', async () => {
      const parts = [randomContent(300 * KiB), randomContent(0), randomContent(123)];
      const before = (await files.json<{ fileCount: number }>('GET', '/api/v1/storage/usage')).body.fileCount;
      const ids = await Promise.all(parts.map(createPartial));
      expect((await c.head(ids[0])).headers.get('upload-concat')).toBe('partial');
      expect((await files.json('GET', `/api/v1/storage/files/${ids[0]}`)).status).toBe(404);
      const listed = await files.json<{ items: Array<{ id: string }> }>('GET', '/api/v1/storage/files?status=all&limit=100');
      expect(listed.body.items.map((i) => i.id)).not.toContain(ids[0]);
      expect((await files.json<{ fileCount: number }>('GET', '/api/v1/storage/usage')).body.fileCount).toBe(before);

      const whole = Buffer.concat(parts);
      // One absolute URL, the others paths: only the path counts.
      const concat = `final;${base}${c.endpoint}/${ids[0]} ${c.endpoint}/${ids[1]} ${c.endpoint}/${ids[2]}`;
      const res = await c.send('POST', c.endpoint, { 'upload-concat': concat, 'upload-metadata': metadata({ filename: 'joined.bin', sha256: sha256(whole) }) });
      expect(res.status).toBe(201);
      const finalId = idOf(res.headers.get('location')!);
      await expectDownload(finalId, whole);
      const head = await c.head(finalId);
      expect(head.headers.get('upload-concat')).toBe(`final;${ids.map((id) => `${c.endpoint}/${id}`).join(' ')}`);
      expect(head.headers.get('upload-offset')).toBe(String(whole.length));
      expect((await c.patch(finalId, whole.length, Buffer.from('x'))).status).toBe(403);
      for (const id of ids) {
        expect((await c.head(id)).status).toBe(404);
        expect(await harness().leftovers(id)).toEqual([]);
      }
    });

    it('refuses a final naming an unfinished, unknown or other owner\'s partial: 400', async () => {
      const unfinished = await c.send('POST', c.endpoint, { 'upload-length': '10', 'upload-concat': 'partial' });
      const finished = await createPartial(randomContent(10));
      const stranger = new TusClient(base, (await createApiKey(t, await createManager(t))).key);
      const theirs = await stranger.send('POST', c.endpoint, { 'upload-length': '0', 'upload-concat': 'partial' });
      const meta = metadata({ filename: 'f' });
      for (const other of [idOf(unfinished.headers.get('location')!), '00000000-0000-4000-8000-000000000000', idOf(theirs.headers.get('location')!)]) {
        const res = await c.send('POST', c.endpoint, { 'upload-concat': `final;${c.endpoint}/${finished} ${c.endpoint}/${other}`, 'upload-metadata': meta });
        expect(res.status).toBe(400);
      }
      expect((await c.send('POST', c.endpoint, { 'upload-concat': `final;/elsewhere/${finished}`, 'upload-metadata': meta })).status).toBe(400);
      expect((await c.send('POST', c.endpoint, { 'upload-concat': `final;${c.endpoint}/${finished}`, 'upload-length': '10', 'upload-metadata': meta })).status).toBe(400);
      expect((await c.send('POST', c.endpoint, { 'upload-concat': `final;${c.endpoint}/${finished}` })).status).toBe(400);
      const wrongSha = await c.send('POST', c.endpoint, {
        'upload-concat': `final;${c.endpoint}/${finished}`,
        'upload-metadata': metadata({ filename: 'f', sha256: sha256(Buffer.from('something else')) }),
      });
      expect(wrongSha.status).toBe(400);
      expect(JSON.parse(wrongSha.text).message).toMatch(/not the declared sha256/);
      // The partial is still there for a corrected final.
      expect((await c.head(finished)).status).toBe(200);
    });

    it('sweeps expired partials with their bytes', async () => {
      const id = await createPartial(randomContent(1000));
      expect((await harness().leftovers(id)).length).toBeGreaterThan(0);
      await t.app.get(PendingUploadSweeper).sweep(new Date(Date.now() + 25 * 3600_000));
      expect((await c.head(id)).status).toBe(404);
      expect(await harness().leftovers(id)).toEqual([]);
    });
  });

  describe('tus-js-client 4.3.1', () => {
    const upload = (file: Buffer, options: Partial<tus.UploadOptions>, onStart?: (u: tus.Upload) => void) =>
      new Promise<string>((resolve, reject) => {
        const u = new tus.Upload(file, {
          endpoint: `${base}${c.endpoint}`,
          headers: { 'x-api-key': c.key },
          metadata: { filename: 'client.bin', filetype: 'application/octet-stream' },
          retryDelays: [0, 200, 500],
          ...options,
          onSuccess: () => resolve(u.url!),
          onError: reject,
        });
        onStart?.(u);
        u.start();
      });

    it('uploads in chunks, is aborted midway, and resumes from its FileUrlStorage', async () => {
      const bytes = randomContent(3 * MiB + 5);
      const urlStorage = new FileUrlStorage(join(tmp, 'urls.json'));
      let aborted!: () => void;
      const abortedAt = new Promise<void>((r) => (aborted = r));
      const first = new tus.Upload(bytes, {
        endpoint: `${base}${c.endpoint}`,
        headers: { 'x-api-key': c.key },
        metadata: { filename: 'resumed.bin' },
        chunkSize: 512 * KiB,
        urlStorage,
        onChunkComplete: (_size, accepted) => {
          if (accepted >= MiB) void first.abort().then(aborted);
        },
        onError: (e) => { throw e; },
      });
      first.start();
      await abortedAt;
      const id = idOf(first.url!);
      const kept = await c.offset(id);
      expect(kept).toBeGreaterThanOrEqual(MiB);
      expect(kept).toBeLessThan(bytes.length);

      // A new run (as after a crash) finds the upload in the URL storage and goes on from the durable offset.
      const patchOffsets: number[] = [];
      const url = await new Promise<string>((resolve, reject) => {
        const second = new tus.Upload(bytes, {
          endpoint: `${base}${c.endpoint}`,
          headers: { 'x-api-key': c.key },
          metadata: { filename: 'resumed.bin' },
          chunkSize: 512 * KiB,
          urlStorage,
          onBeforeRequest: (req) => {
            if (req.getMethod() === 'PATCH') patchOffsets.push(Number(req.getHeader('Upload-Offset')));
          },
          onSuccess: () => resolve(second.url!),
          onError: reject,
        });
        second.findPreviousUploads().then((previous) => {
          expect(previous).toHaveLength(1);
          second.resumeFromPreviousUpload(previous[0]);
          second.start();
        }, reject);
      });
      expect(idOf(url)).toBe(id);
      expect(patchOffsets[0]).toBe(kept);
      await expectDownload(id, bytes);
    });

    it('uploads with parallelUploads: 4 and an empty file', async () => {
      const bytes = randomContent(2 * MiB + 3);
      const url = await upload(bytes, { parallelUploads: 4 });
      await expectDownload(idOf(url), bytes);
      const empty = await upload(Buffer.alloc(0), {});
      await expectDownload(idOf(empty), Buffer.alloc(0));
    });
  });
}

async function eventuallyOffset(c: TusClient, id: string, ok: (offset: number) => boolean): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const offset = await c.offset(id);
    if (ok(offset) || Date.now() > deadline) return offset;
    await new Promise((r) => setTimeout(r, 50));
  }
}
