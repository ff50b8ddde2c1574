import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describeBlobStoreContract } from '../../../test/support/blob-store-contract';
import { FsBlobStore } from './fs-blob-store';

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'eds-fs-blobs-'));
    store = new FsBlobStore(join(root, 'blobs'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describeBlobStoreContract(() => ({ store, leftovers: (fileId) => store.listFileEntries(fileId) }), {
    bigSize: 3 * 1024 * 1024 + 7,
  });

  it('names blobs by server ids only, sharded by the file id', async () => {
    const fileId = '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b';
    const key = `${fileId}/1c2d3e4f-0000-4000-8000-000000000000`;
    await store.write(key, Readable.from([Buffer.from('x')]));
    expect(await readdir(join(root, 'blobs', '0b', fileId))).toEqual(['1c2d3e4f-0000-4000-8000-000000000000']);
  });
});
