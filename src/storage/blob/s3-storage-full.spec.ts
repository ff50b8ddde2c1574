import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { isDomainError } from '../../common/domain-error';
import { isStorageFull } from '../storage.errors';
import { S3BlobStore } from './s3-blob-store';

/**
 * What S3-compatible stores answer when they are full, from a stand-in
 * endpoint that answers every request with that error (moto cannot fill up):
 * the real SDK parses it, and the driver must turn it into the 507 condition.
 */
describe('S3BlobStore when the store is full', () => {
  let server: Server;
  let answer: { status: number; code: string } = { status: 507, code: 'XMinioStorageFull' };
  let store: S3BlobStore;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${answer.code}</Code><Message>full</Message><RequestId>1</RequestId></Error>`;
        res.writeHead(answer.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    store = S3BlobStore.fromConfig({ bucket: 'b', endpoint, region: 'us-east-1', accessKeyId: 'x', secretAccessKey: 'y', forcePathStyle: true });
  });
  afterAll(async () => {
    store.onApplicationShutdown();
    server.close();
    await once(server, 'close');
  });

  const key = '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b/1b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b';

  it.each([
    [507, 'XMinioStorageFull'],
    [403, 'XMinioAdminBucketQuotaExceeded'],
    [403, 'QuotaExceeded'],
    [507, 'InsufficientStorage'],
    [400, 'EntityTooLarge'],
    [507, 'SomethingElse'],
  ])('%s %s on a write → StorageFull (507)', async (status, code) => {
    answer = { status, code };
    const failure = await store.write(key, Readable.from([Buffer.from('hello')])).catch((e: unknown) => e);
    expect(isDomainError(failure, 'StorageFull')).toBe(true);
    expect((failure as { status: number }).status).toBe(507);
    await expect(store.checkWritable()).rejects.toMatchObject({ code: 'StorageFull' });
  });

  it('leaves other refusals as they are', async () => {
    answer = { status: 403, code: 'AccessDenied' };
    const failure = await store.write(key, Readable.from([Buffer.from('hello')])).catch((e: unknown) => e);
    expect(isStorageFull(failure)).toBe(false);
    expect(isDomainError(failure)).toBe(false);
  });

  it('recognises a full local disk and quota', () => {
    expect(isStorageFull(Object.assign(new Error('no space'), { code: 'ENOSPC' }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('quota'), { code: 'EDQUOT' }))).toBe(true);
    expect(isStorageFull(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe(false);
    expect(isStorageFull(null)).toBe(false);
  });
});
