import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { BlobNotFoundError, blobKeyFor, type BlobStore, type ResumableState } from '../../src/storage/blob/blob-store';

export interface BlobStoreHarness {
  store: BlobStore;
  /** Everything the store keeps for a file: finished blobs and unfinished leftovers (temp files, multipart uploads). */
  leftovers(fileId: string): Promise<string[]>;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A body that yields `size` random bytes in 64 KiB chunks, then fails with `error` if given. */
function body(bytes: Buffer, error?: Error): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
      if (error) throw error;
    })(),
  );
}

/**
 * The contract every BlobStore driver keeps. `bigSize` should cross the
 * driver's internal boundaries (S3: more than one multipart part).
 */
export function describeBlobStoreContract(harness: () => BlobStoreHarness, options: { bigSize: number }): void {
  const newKey = (fileId = randomUUID()): string => blobKeyFor(fileId, randomUUID());

  it.each([
    ['empty', 0],
    ['one byte', 1],
    ['1 KiB', 1024],
    ['big, odd-sized', options.bigSize],
  ])('writes and reads back a %s blob', async (_label, size) => {
    const { store } = harness();
    const bytes = randomBytes(size);
    const key = newKey();
    await store.write(key, body(bytes));
    expect(await store.exists(key)).toBe(true);
    expect(sha(await readAll(await store.read(key)))).toBe(sha(bytes));
  });

  it('reads byte ranges, inclusive', async () => {
    const { store } = harness();
    const bytes = randomBytes(200_003);
    const key = newKey();
    await store.write(key, body(bytes));
    for (const [start, end] of [[0, 0], [0, 99], [65_530, 65_545], [200_000, 200_002]]) {
      expect(await readAll(await store.read(key, { start, end }))).toEqual(bytes.subarray(start, end + 1));
    }
  });

  it('refuses to read a blob that does not exist', async () => {
    const { store } = harness();
    const key = newKey();
    await expect(store.read(key)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await store.exists(key)).toBe(false);
  });

  it.each([
    ['at once', 0],
    ['after some bytes', 100_000],
    ['after many bytes', options.bigSize],
  ])('keeps nothing when the body fails %s, and rejects with its error', async (_label, size) => {
    const { store, leftovers } = harness();
    const fileId = randomUUID();
    const key = newKey(fileId);
    const failure = new Error('client went away');
    await expect(store.write(key, body(randomBytes(size), failure))).rejects.toBe(failure);
    expect(await store.exists(key)).toBe(false);
    expect(await leftovers(fileId)).toEqual([]);
  });

  it('keeps attempts of one file apart and deleteFile removes them all', async () => {
    const { store, leftovers } = harness();
    const fileId = randomUUID();
    const [a, b] = [newKey(fileId), newKey(fileId)];
    await Promise.all([store.write(a, body(Buffer.from('first'))), store.write(b, body(Buffer.from('second')))]);
    expect((await readAll(await store.read(a))).toString()).toBe('first');
    expect((await readAll(await store.read(b))).toString()).toBe('second');
    expect(await leftovers(fileId)).toHaveLength(2);
    await store.deleteFile(fileId);
    expect(await store.exists(a)).toBe(false);
    expect(await store.exists(b)).toBe(false);
    expect(await leftovers(fileId)).toEqual([]);
    await expect(store.deleteFile(fileId)).resolves.toBeUndefined();
  });

  it('deletes one blob, and deleting a missing one is not an error', async () => {
    const { store } = harness();
    const key = newKey();
    await store.write(key, body(Buffer.from('x')));
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('writes many blobs in parallel', async () => {
    const { store } = harness();
    const blobs = Array.from({ length: 8 }, () => ({ key: newKey(), bytes: randomBytes(300_000) }));
    await Promise.all(blobs.map((b) => store.write(b.key, body(b.bytes))));
    for (const b of blobs) expect(sha(await readAll(await store.read(b.key)))).toBe(sha(b.bytes));
  });

  it('refuses keys it did not make (no path or prefix games)', async () => {
    const { store } = harness();
    await expect(store.write('../../etc/passwd', body(Buffer.from('x')))).rejects.toThrow(/not a blob key/);
    await expect(store.read(`${randomUUID()}/../x`)).rejects.toThrow(/not a blob key/);
    await expect(store.deleteFile('..')).rejects.toThrow(/not a file id/);
  });

  it('is writable', async () => {
    await expect(harness().store.checkWritable()).resolves.toBeUndefined();
  });
  describe('resumable uploads', () => {
    const MiB = 1024 * 1024;
    const appendAll = async (store: BlobStore, state: ResumableState, bytes: Buffer, takeover = false): Promise<ResumableState> => {
      const append = await store.openAppend(state, takeover);
      for (let i = 0; i < bytes.length; i += 256 * 1024) await append.write(bytes.subarray(i, i + 256 * 1024));
      return append.commit();
    };

    it('appends over several requests, completes to one blob at its key, and keeps nothing else', async () => {
      const { store, leftovers } = harness();
      const fileId = randomUUID();
      const key = newKey(fileId);
      const bytes = randomBytes(options.bigSize);
      let state = await store.beginResumable(key, bytes.length);
      const cuts = [0, MiB + 3, Math.floor(bytes.length / 2), bytes.length];
      for (let i = 1; i < cuts.length; i++) {
        // Each append from a fresh copy of the recorded state, as the next request (on any instance) sees it.
        state = await appendAll(store, JSON.parse(JSON.stringify(state)) as ResumableState, bytes.subarray(cuts[i - 1], cuts[i]));
      }
      await store.completeResumable(state);
      // Idempotent: a retry after a crash midway finds it done.
      await store.completeResumable(state);
      expect(sha(await readAll(await store.read(key)))).toBe(sha(bytes));
      expect(await leftovers(fileId)).toEqual([key.split('/')[1]].map((k) => expect.stringContaining(k)));
    });

    it('forgets a discarded append, and a takeover is not disturbed by the writer it replaced', async () => {
      const { store } = harness();
      const key = newKey();
      const [a, b, c] = [randomBytes(100_000), randomBytes(150_000), randomBytes(70_000)];
      let state = await store.beginResumable(key, a.length + b.length + c.length);
      state = await appendAll(store, state, a);
      const refused = await store.openAppend(state, false);
      await refused.write(randomBytes(90_000));
      await refused.discard();
      // A writer that lost its lease keeps writing after another took over.
      const stale = await store.openAppend(state, false);
      await stale.write(randomBytes(30_000));
      state = await appendAll(store, state, b, true);
      await stale.write(randomBytes(30_000));
      await stale.discard();
      state = await appendAll(store, state, c);
      await store.completeResumable(state);
      expect(sha(await readAll(await store.read(key)))).toBe(sha(Buffer.concat([a, b, c])));
    });

    it('composes blobs in order into a new one', async () => {
      const { store } = harness();
      const parts = [randomBytes(200_001), Buffer.alloc(0), randomBytes(33)];
      const sources = [];
      for (const part of parts) {
        const key = newKey();
        await store.write(key, body(part));
        sources.push({ key, size: part.length });
      }
      const key = newKey();
      await store.compose(key, sources);
      expect(sha(await readAll(await store.read(key)))).toBe(sha(Buffer.concat(parts)));
    });

    it('deleteFile removes an unfinished resumable upload and its staging', async () => {
      const { store, leftovers } = harness();
      const fileId = randomUUID();
      const key = newKey(fileId);
      const state = await store.beginResumable(key, 10 * MiB);
      await appendAll(store, state, randomBytes(300_000));
      expect((await leftovers(fileId)).length).toBeGreaterThan(0);
      await store.deleteFile(fileId);
      expect(await leftovers(fileId)).toEqual([]);
    });
  });

  it('lists its finished blobs with their write time, not failed writes or probes', async () => {
    const { store } = harness();
    const before = Date.now() - 60_000;
    const kept = [newKey(), newKey()];
    for (const key of kept) await store.write(key, body(randomBytes(100)));
    const failed = newKey();
    await expect(store.write(failed, body(randomBytes(70_000), new Error('client went away')))).rejects.toThrow('client went away');
    await store.checkWritable();
    const listed = new Map<string, Date>();
    for await (const blob of store.listBlobs()) listed.set(blob.key, blob.modifiedAt);
    for (const key of kept) {
      expect(typeof listed.get(key)?.getTime()).toBe('number');
      expect(listed.get(key)!.getTime()).toBeGreaterThan(before);
    }
    expect(listed.has(failed)).toBe(false);
    for (const key of listed.keys()) expect(key).toMatch(/^[0-9a-f-]{36}\/[0-9a-f-]{36}$/);
  });
}
