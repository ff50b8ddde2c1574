import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Clock } from '../src/common/clock';
import { PendingUploadSweeper } from '../src/storage/pending-upload.sweeper';
import { adminActor, createApiKey } from './support/factories';
import { findMotoServer, MOTO_MISSING, s3ClientOf, s3DriverEnv, startMoto, type MotoServer } from './support/moto';
import { randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

const moto = findMotoServer();
if (!moto) console.warn(MOTO_MISSING);

const MiB = 1024 * 1024;
const BUCKET = 'eds-e2e';

(moto ? describe : describe.skip)(`Storage API on the S3 driver (e2e)${moto ? '' : ` (${MOTO_MISSING})`}`, () => {
  let server: MotoServer;
  let s3: S3Client;
  let env: Record<string, string>;
  let t: TestApp;
  let c: StorageClient;

  const objects = async (fileId: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${fileId}/` }))).Contents ?? []).map((o) => o.Key!);
  const multipartUploads = async (fileId: string): Promise<number> =>
    ((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${fileId}/` }))).Uploads ?? []).length;

  beforeAll(async () => {
    server = await startMoto(moto!);
    s3 = s3ClientOf(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    env = {
      ...s3DriverEnv(server, BUCKET),
    };
    t = await startTestApp({ env });
    c = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
  }, 60_000);
  afterAll(async () => {
    await t?.destroy();
    s3?.destroy();
    await server?.stop();
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it.each([
    ['empty', 0],
    ['1 KiB', 1024],
    ['20 MiB + 3 (multipart)', 20 * MiB + 3],
  ])('round-trips %s through the bucket', async (_label, size) => {
    const bytes = randomContent(size);
    const file = await c.upload(bytes, { sha256: sha256(bytes) });
    expect(file).toMatchObject({ status: 'ready', sha256: sha256(bytes), size });
    expect(await objects(file.id)).toEqual([expect.stringMatching(new RegExp(`^${file.id}/[0-9a-f-]{36}$`))]);
    const down = await c.download(file.id);
    expect(down.status).toBe(200);
    expect(sha256(down.body)).toBe(sha256(bytes));
  }, 60_000);

  it('serves ranges from the bucket', async () => {
    const bytes = randomContent(10_000);
    const file = await c.upload(bytes);
    const down = await c.download(file.id, { range: 'bytes=-100' });
    expect(down.status).toBe(206);
    expect(down.body).toEqual(bytes.subarray(9900));
    expect((await c.download(file.id, { range: 'bytes=10000-' })).status).toBe(416);
  });

  it('keeps no object for a checksum mismatch, a long body, or a big short one', async () => {
    const bytes = randomContent(12 * MiB);
    const pending = await c.start({ size: bytes.length, sha256: sha256(bytes) });
    const wrong = Buffer.from(bytes);
    wrong[0] ^= 1;
    expect((await c.put(pending.id, wrong)).status).toBe(400);
    expect((await c.put(pending.id, Buffer.concat([bytes, Buffer.from('x')]))).status).toBe(413);
    const short = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(bytes.subarray(0, 11 * MiB)));
        controller.close();
      },
    });
    expect((await c.put(pending.id, short)).status).toBe(400);
    expect(await objects(pending.id)).toEqual([]);
    expect(await multipartUploads(pending.id)).toBe(0);
    expect((await c.put(pending.id, bytes)).status).toBe(200);
  }, 60_000);

  it('deletes the object with the file', async () => {
    const file = await c.upload(randomContent(100));
    expect(await objects(file.id)).toHaveLength(1);
    expect((await c.json('DELETE', `/api/v1/storage/files/${file.id}`)).status).toBe(204);
    expect(await objects(file.id)).toEqual([]);
  });

  it('sweeps expired uploads and their unfinished multipart uploads', async () => {
    const pending = await c.start({ size: 20 * MiB });
    // What a crash mid-upload leaves in S3: a multipart upload that was never completed.
    await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${pending.id}/00000000-0000-4000-8000-000000000000` }));
    expect(await multipartUploads(pending.id)).toBe(1);
    const later = new Date(Date.parse(pending.expiresAt!) + 1);
    jest.spyOn(t.app.get(Clock), 'now').mockReturnValue(later);
    expect(await t.app.get(PendingUploadSweeper).sweep()).toBeGreaterThanOrEqual(1);
    expect(await multipartUploads(pending.id)).toBe(0);
    expect((await c.json('GET', `/api/v1/storage/files/${pending.id}`)).status).toBe(404);
  });

  it('keeps the files across a restart', async () => {
    const bytes = randomContent(5000);
    const file = await c.upload(bytes);
    await t.close();
    const again = await startTestApp({ env, databaseUrl: t.databaseUrl, dataDir: t.dataDir });
    try {
      const c2 = await StorageClient.for(again, c.key);
      expect(sha256((await c2.download(file.id)).body)).toBe(sha256(bytes));
    } finally {
      await again.close();
    }
  });
});
