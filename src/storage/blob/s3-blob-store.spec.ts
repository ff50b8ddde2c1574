import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describeBlobStoreContract } from '../../../test/support/blob-store-contract';
import { findMotoServer, MOTO_MISSING, startMoto, type MotoServer } from '../../../test/support/moto';
import { S3BlobStore } from './s3-blob-store';

const moto = findMotoServer();
if (!moto) console.warn(MOTO_MISSING);

(moto ? describe : describe.skip)(`S3BlobStore against moto_server${moto ? '' : ` (${MOTO_MISSING})`}`, () => {
  let server: MotoServer;
  let store: S3BlobStore;

  beforeAll(async () => {
    server = await startMoto(moto!);
    const config = {
      bucket: 'eds-test',
      endpoint: server.endpoint,
      region: 'us-east-1',
      accessKeyId: 'test',
      secretAccessKey: 'test',
      forcePathStyle: true,
    };
    const admin = new S3Client({ ...config, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    await admin.send(new CreateBucketCommand({ Bucket: config.bucket }));
    admin.destroy();
    // 5 MiB parts (S3's minimum) so the big blob below takes the multipart path.
    store = S3BlobStore.fromConfig(config, { partSize: 5 * 1024 * 1024, queueSize: 2 });
  }, 60_000);
  afterAll(async () => {
    store?.onApplicationShutdown();
    await server?.stop();
  });

  describeBlobStoreContract(
    () => ({
      store,
      leftovers: async (fileId) => [
        ...(await store.listFileObjects(fileId)),
        ...(await store.pendingMultipartUploads(fileId)).map((u) => `multipart:${u.key}`),
      ],
    }),
    { bigSize: 11 * 1024 * 1024 + 7 },
  );
});
