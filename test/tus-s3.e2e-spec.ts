import { CreateBucketCommand, ListMultipartUploadsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { adminActor, createApiKey } from './support/factories';
import { findMotoServer, MOTO_MISSING, s3ClientOf, s3DriverEnv, startMoto, type MotoServer } from './support/moto';
import { baseUrl, randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';
import { idOf, metadata, TusClient } from './support/tus-client';
import { describeTusSuite } from './support/tus-suite';

const moto = findMotoServer();
if (!moto) console.warn(MOTO_MISSING);

const MiB = 1024 * 1024;
const BUCKET = 'eds-tus-e2e';

(moto ? describe : describe.skip)(`Resumable uploads over tus on the S3 driver (e2e)${moto ? '' : ` (${MOTO_MISSING})`}`, () => {
  let server: MotoServer;
  let s3: S3Client;
  let t: TestApp;
  let env: Record<string, string>;

  const objects = async (id: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${id}/` }))).Contents ?? []).map((o) => o.Key!).sort();
  const multipart = async (id: string): Promise<string[]> =>
    ((await s3.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: `${id}/` }))).Uploads ?? []).map((u) => `multipart:${u.Key}`);

  beforeAll(async () => {
    server = await startMoto(moto!);
    s3 = s3ClientOf(server);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    env = {
      ...s3DriverEnv(server, BUCKET),
    };
    t = await startTestApp({ env });
  }, 60_000);
  afterAll(async () => {
    await t?.destroy();
    s3?.destroy();
    await server?.stop();
  });

  describeTusSuite(() => ({ t, leftovers: async (id) => [...(await objects(id)), ...(await multipart(id))] }));

  describe('multipart mapping', () => {
    let c: TusClient;
    let files: StorageClient;
    beforeAll(async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      c = new TusClient(await baseUrl(t), key);
      files = new StorageClient(c.base, key);
    });

    it('maps an upload to one multipart upload, stages chunks under 5 MiB, and leaves one object', async () => {
      const bytes = randomContent(11 * MiB + 7);
      const id = await c.create(bytes.length, { filename: 'big.bin' });
      expect(await multipart(id)).toHaveLength(1);
      expect((await c.patch(id, 0, bytes.subarray(0, MiB))).status).toBe(204);
      // Not a part yet: the MiB waits in a staging object.
      expect((await objects(id)).filter((k) => k.includes('tus-stage-'))).toEqual([`${id}/tus-stage-${MiB}`]);
      expect(await c.patchAll(id, bytes, Math.round(1.5 * MiB), MiB)).toBe(bytes.length);
      expect(await multipart(id)).toEqual([]);
      const left = await objects(id);
      expect(left).toEqual([expect.stringMatching(new RegExp(`^${id}/[0-9a-f-]{36}$`))]);
      const down = await files.download(id);
      expect(sha256(down.body)).toBe(sha256(bytes));
    }, 60_000);

    it('takes consecutive PATCHes on two instances sharing the database and the bucket', async () => {
      const other = await startTestApp({ databaseUrl: t.databaseUrl, env });
      try {
        const c2 = new TusClient(await baseUrl(other), c.key);
        const bytes = randomContent(6 * MiB + 1);
        const id = await c.create(bytes.length, { filename: 'shared.bin', sha256: sha256(bytes) });
        let offset = 0;
        for (const [i, chunk] of [2 * MiB, MiB, 2 * MiB, 3 * MiB].entries()) {
          const via = i % 2 === 0 ? c : c2;
          const res = await via.patch(id, offset, bytes.subarray(offset, offset + chunk));
          expect(res.status).toBe(204);
          offset = Number(res.headers.get('upload-offset'));
          expect(await (via === c ? c2 : c).offset(id)).toBe(offset);
        }
        expect(offset).toBe(bytes.length);
        expect(sha256((await files.download(id)).body)).toBe(sha256(bytes));
      } finally {
        await other.close();
      }
    }, 60_000);

    it('joins partials of at least 5 MiB by copying parts inside the bucket', async () => {
      const parts = [randomContent(5 * MiB), randomContent(1000)];
      const ids: string[] = [];
      for (const part of parts) {
        const res = await c.send('POST', c.endpoint, { 'upload-length': String(part.length), 'upload-concat': 'partial' });
        expect({ status: res.status, body: res.text }).toEqual({ status: 201, body: '' });
        const id = idOf(res.headers.get('location')!);
        await c.patchAll(id, part, 2 * MiB);
        ids.push(id);
      }
      const res = await c.send('POST', c.endpoint, {
        'upload-concat': `final;${ids.map((id) => `${c.endpoint}/${id}`).join(' ')}`,
        'upload-metadata': metadata({ filename: 'copied.bin' }),
      });
      expect(res.status).toBe(201);
      const id = idOf(res.headers.get('location')!);
      const down = await files.download(id);
      expect(sha256(down.body)).toBe(sha256(Buffer.concat(parts)));
      expect(await multipart(id)).toEqual([]);
      for (const partial of ids) expect([...(await objects(partial)), ...(await multipart(partial))]).toEqual([]);
    }, 60_000);
  });
});
