import fsPromises, { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describeBlobStoreContract } from '../../../test/support/blob-store-contract';
import { markChunksOwned } from '../../common/owned-chunks';
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

  it('names blobs by server ids only, flat in a shard of the file id, with no directory per file', async () => {
    const fileId = '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b';
    const key = `${fileId}/1c2d3e4f-0000-4000-8000-000000000000`;
    await store.write(key, Readable.from([Buffer.from('x')]));
    await store.write(`${fileId}/2d3e4f5a-0000-4000-8000-000000000000`, Readable.from([Buffer.alloc(100_000, 1)]));
    expect(await readdir(join(root, 'blobs', '0b6'))).toEqual([`${fileId}.1c2d3e4f-0000-4000-8000-000000000000`, `${fileId}.2d3e4f5a-0000-4000-8000-000000000000`]);
    expect(await readdir(join(root, 'blobs'))).not.toContain('0b');
  });

  describe('a blob written before the flat layout (in its file\'s own directory)', () => {
    const fileId = 'c4d5e6f7-0a1b-4c2d-8e3f-4a5b6c7d8e9f';
    const key = `${fileId}/d5e6f7a8-0000-4000-8000-000000000000`;
    const legacy = () => join(root, 'blobs', 'c4', fileId, 'd5e6f7a8-0000-4000-8000-000000000000');

    beforeEach(async () => {
      await fsPromises.mkdir(join(root, 'blobs', 'c4', fileId), { recursive: true });
      await fsPromises.writeFile(legacy(), 'written by an older EDS');
    });

    it('is read, ranged, found and listed where it lies', async () => {
      const read = async (range?: { start: number; end: number }) => {
        const chunks: Buffer[] = [];
        for await (const chunk of await store.read(key, range)) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString();
      };
      expect(await read()).toBe('written by an older EDS');
      expect(await read({ start: 14, end: 18 })).toBe('older');
      expect(await store.exists(key)).toBe(true);
      const listed: string[] = [];
      for await (const blob of store.listBlobs()) listed.push(blob.key);
      expect(listed).toContain(key);
      expect(await store.listFileEntries(fileId)).toEqual(['d5e6f7a8-0000-4000-8000-000000000000']);
    });

    it('is the source of a composed blob', async () => {
      const joined = `${fileId}/e6f7a8b9-0000-4000-8000-000000000000`;
      await store.compose(joined, [{ key, size: 23 }, { key, size: 23 }]);
      const chunks: Buffer[] = [];
      for await (const chunk of await store.read(joined)) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('written by an older EDS'.repeat(2));
    });

    it('goes with delete(key), and with deleteFile beside the file\'s new blobs', async () => {
      await store.delete(key);
      expect(await store.exists(key)).toBe(false);
      await fsPromises.writeFile(legacy(), 'again');
      await store.write(`${fileId}/f7a8b9c0-0000-4000-8000-000000000000`, Readable.from([Buffer.from('new')]));
      expect(await store.listFileEntries(fileId)).toEqual(expect.arrayContaining(['d5e6f7a8-0000-4000-8000-000000000000', 'f7a8b9c0-0000-4000-8000-000000000000']));
      await store.deleteFile(fileId);
      expect(await store.listFileEntries(fileId)).toEqual([]);
      await expect(fsPromises.stat(join(root, 'blobs', 'c4', fileId))).rejects.toMatchObject({ code: 'ENOENT' });
    });
  });

  it('leaves no staging directory behind once a resumable upload completes', async () => {
    const fileId = 'd6e7f8a9-1b2c-4d3e-9f4a-5b6c7d8e9fa0';
    const key = `${fileId}/e7f8a9b0-0000-4000-8000-000000000000`;
    const append = await store.openAppend(await store.beginResumable(key), false);
    await append.write(Buffer.from('abc'));
    const state = await append.commit();
    expect(await readdir(join(root, 'blobs', 'd6', fileId))).toHaveLength(1);
    await store.completeResumable(state);
    await expect(fsPromises.stat(join(root, 'blobs', 'd6', fileId))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(join(root, 'blobs', 'd6e'))).toEqual([`${fileId}.e7f8a9b0-0000-4000-8000-000000000000`]);
  });

  it('leaves no .part behind when the body fails while the file is still being opened', async () => {
    const fileId = '5e0c1b7a-2f4d-4c36-9a51-0d6f1c2b3a49';
    const key = `${fileId}/7a8b9c0d-0000-4000-8000-000000000000`;
    // Its shard exists already, so the first open is the one that creates the file.
    await store.write('5e0a0000-0000-4000-8000-000000000000/6f1b0000-0000-4000-8000-000000000000', Readable.from([Buffer.from('x')]));
    const failing = new Readable({ read: () => undefined });
    // More than a small body (which would be gathered before any file is opened).
    failing.push(Buffer.alloc(100_000, 1));
    // The file's open finishes 50 ms late (as when the thread pool is busy),
    // and the body fails meanwhile, before the file exists.
    const realOpen = fsPromises.open;
    let opens = 0;
    const open = jest.spyOn(fsPromises, 'open').mockImplementation(async (...args: Parameters<typeof fsPromises.open>) => {
      if (String(args[0]).endsWith('.part')) {
        opens++;
        setImmediate(() => failing.destroy(new Error('body too long')));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return realOpen(...args);
    });
    try {
      await expect(store.write(key, failing)).rejects.toThrow('body too long');
    } finally {
      open.mockRestore();
    }
    expect(opens).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.listFileEntries(fileId)).toEqual([]);
  });

  describe('a small body', () => {
    function spyOnOpens(): { paths: string[]; restore: () => void } {
      const realOpen = fsPromises.open;
      const paths: string[] = [];
      const spy = jest.spyOn(fsPromises, 'open').mockImplementation((...args: Parameters<typeof fsPromises.open>) => {
        paths.push(String(args[0]));
        return realOpen(...args);
      });
      return { paths, restore: () => spy.mockRestore() };
    }

    it('is written at its key, with no .part, and reads back whole', async () => {
      const fileId = '1f4a5b6c-8d9e-4a0b-9c1d-2e3f4a5b6c7d';
      const key = `${fileId}/2a5b6c7d-0000-4000-8000-000000000000`;
      const content = Buffer.alloc(64 * 1024, 7);
      const opens = spyOnOpens();
      try {
        await store.write(key, Readable.from([content.subarray(0, 1000), content.subarray(1000)]));
      } finally {
        opens.restore();
      }
      expect(opens.paths.filter((path) => path.endsWith('.part'))).toEqual([]);
      expect(opens.paths).toContain(join(root, 'blobs', '1f4', `${fileId}.2a5b6c7d-0000-4000-8000-000000000000`));
      expect(await store.listFileEntries(fileId)).toEqual(['2a5b6c7d-0000-4000-8000-000000000000']);
      const stored: Buffer[] = [];
      for await (const chunk of await store.read(key)) stored.push(chunk as Buffer);
      expect(Buffer.concat(stored).equals(content)).toBe(true);
    });

    it('that fails before its end opens no file at all', async () => {
      const fileId = '3b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e';
      const failing = new Readable({ read: () => undefined });
      failing.push(Buffer.from('the first bytes'));
      setImmediate(() => failing.destroy(new Error('checksum mismatch')));
      const opens = spyOnOpens();
      try {
        await expect(store.write(`${fileId}/4c7d8e9f-0000-4000-8000-000000000000`, failing)).rejects.toThrow('checksum mismatch');
      } finally {
        opens.restore();
      }
      expect(opens.paths).toEqual([]);
      expect(await store.listFileEntries(fileId)).toEqual([]);
    });

    it('one byte over the limit streams through a .part as any body does', async () => {
      const fileId = '4c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f';
      const key = `${fileId}/5d8e9f0a-0000-4000-8000-000000000000`;
      const content = Buffer.alloc(64 * 1024 + 1, 3);
      const opens = spyOnOpens();
      try {
        await store.write(key, Readable.from([content]));
      } finally {
        opens.restore();
      }
      // (Opened twice when its shard had to be made first: one .part all the same.)
      expect(new Set(opens.paths.filter((path) => path.endsWith('.part'))).size).toBe(1);
      expect(await store.listFileEntries(fileId)).toEqual(['5d8e9f0a-0000-4000-8000-000000000000']);
    });
  });

  it('writes a body of many chunks in order, whatever the chunk sizes', async () => {
    const fileId = '6a1d2c8b-3e5f-4d47-8b62-1e7f2d3c4b5a';
    const key = `${fileId}/8b9c0d1e-0000-4000-8000-000000000000`;
    // Sizes around the 1 MiB batch (small, exact, odd, one far over it, an empty one), and more
    // pieces than one writev takes (IOV_MAX is 1,024) arriving while a write is in flight.
    const sizes = [1, 4096, 1024 * 1024, 0, 3, 700_000, 500_000, 3 * 1024 * 1024 + 5, ...Array.from({ length: 3000 }, (_, i) => 1 + (i % 7)), 17];
    const chunks = sizes.map((size, i) => Buffer.alloc(size, i % 251));
    await store.write(key, Readable.from(chunks));
    const stored: Buffer[] = [];
    for await (const chunk of await store.read(key)) stored.push(chunk as Buffer);
    expect(Buffer.concat(stored).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('frees the chunks of a body that owns them once they are written, and stores every byte', async () => {
    const fileId = '7b2e3d9c-4f60-4e58-9c73-2f803e4d5c6b';
    const key = `${fileId}/9c0d1e2f-0000-4000-8000-000000000000`;
    // Chunks of their own memory, as Node's HTTP parser hands out, around the 1 MiB batch.
    const sizes = [65_536, 1024 * 1024, 3, 700_000, 65_536, 17];
    const chunks = sizes.map((size, i) => Buffer.from(new Uint8Array(size).fill(i + 1).buffer));
    const expected = Buffer.concat(chunks);
    await store.write(key, markChunksOwned(Readable.from(chunks)));
    expect(chunks.map((chunk) => chunk.length)).toEqual(sizes.map(() => 0));
    const stored: Buffer[] = [];
    for await (const chunk of await store.read(key)) stored.push(chunk as Buffer);
    expect(Buffer.concat(stored).equals(expected)).toBe(true);
  });

  it('frees an append\'s chunks only when told they are its own', async () => {
    const fileId = '8c3f4e0d-5a71-4f69-8d84-3a914f5e6d7c';
    const owned = await store.beginResumable(`${fileId}/0d1e2f3a-0000-4000-8000-000000000000`);
    const append = await store.openAppend(owned, false, true);
    const mine = Buffer.from(new Uint8Array(3).fill(1).buffer);
    await append.write(mine);
    const borrowed = Buffer.from(new Uint8Array(3).fill(2).buffer);
    const other = await store.openAppend(await append.commit(), false);
    await other.write(borrowed);
    await other.commit();
    expect(mine.length).toBe(0);
    expect(borrowed).toEqual(Buffer.from([2, 2, 2]));
  });

  describe('background writeback', () => {
    // 9 MiB in 64 KiB chunks, as a request body arrives.
    const body = () => Readable.from(Array.from({ length: 144 }, (_, i) => Buffer.alloc(64 * 1024, i)));

    async function fileHandlePrototype(): Promise<{ datasync: () => Promise<void> }> {
      const handle = await fsPromises.open(join(root, 'probe'), 'w');
      await handle.close();
      return Object.getPrototypeOf(handle) as { datasync: () => Promise<void> };
    }

    it('asks the disk to take the bytes while more arrive', async () => {
      const datasync = jest.spyOn(await fileHandlePrototype(), 'datasync');
      try {
        await store.write('9d0e1f2a-6b82-4a7a-9e95-4ba25a6f7e8d/1e2f3a4b-0000-4000-8000-000000000000', body());
        // Every 4 MiB: twice for 9 MiB, before the closing fsync.
        expect(datasync).toHaveBeenCalledTimes(2);
      } finally {
        datasync.mockRestore();
      }
    });

    it('fails the write, keeping nothing, when one of those syncs fails', async () => {
      const fileId = 'ae1f2a3b-7c93-4b8b-8fa6-5cb36b7a8f9e';
      const datasync = jest
        .spyOn(await fileHandlePrototype(), 'datasync')
        .mockRejectedValueOnce(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
      try {
        await expect(store.write(`${fileId}/2f3a4b5c-0000-4000-8000-000000000000`, body())).rejects.toThrow('EIO');
      } finally {
        datasync.mockRestore();
      }
      expect(await store.listFileEntries(fileId)).toEqual([]);
    });
  });
});
