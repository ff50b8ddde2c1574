import { mkdir, open, readdir, rename, rm, rmdir, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { chunksOwned, releaseChunk } from '../../common/owned-chunks';
import { FileReadStream } from './file-read-stream';
import { isStorageFull, StorageErrors } from '../storage.errors';
import {
  assertBlobKey,
  assertFileId,
  BlobNotFoundError,
  BlobStore,
  type ByteRange,
  isBlobKey,
  type ResumableAppend,
  type ResumableState,
  type StoredBlob,
} from './blob-store';

/**
 * A resumable upload on disk: runs of bytes, each a file `tus-<uuid>` in the
 * file's staging directory, appended in place by successive requests. A new run starts
 * only when a writer took over from one that lost its lease (it may still be
 * writing to the old run, past its recorded size, which nothing reads).
 */
interface FsResumableState extends ResumableState {
  runs: Array<{ name: string; size: number }>;
}
const RUN_NAME = /^tus-[0-9a-f-]{36}$/;

/**
 * Blobs as files `<root>/<first three of fileId>/<fileId>.<attemptId>`: one
 * of 4,096 shard directories, and no directory of a file's own. A directory
 * per file cost a 4 KiB block and an inode beside each small file (a 4 KiB
 * file took 8.3 KB of disk), and a mkdir and a second directory fsync on
 * every write (the file calls of a 4 KiB write took ~1.5x the CPU). A write
 * lands in `<name>.part` beside its target, is fsynced, renamed into place
 * and the shard fsynced: after `write` resolves the bytes survive a crash,
 * and before it nothing readable exists under the key. A body that ends within IN_PLACE_LIMIT is the exception: it is
 * gathered and checked first, then written at its key (see writeInPlace).
 *
 * A file's staging directory, `<root>/<first two of fileId>/<fileId>/`, holds
 * its resumable upload's runs until it completes, and the blobs written
 * before the flat layout (read, listed and removed where they are; never
 * written there again).
 */
export class FsBlobStore extends BlobStore {
  readonly name = 'fs';

  constructor(private readonly root: string) {
    super();
  }

  async write(key: string, body: Readable): Promise<void> {
    try {
      await this.writeBlob(key, body);
    } catch (error) {
      // A full disk is the store's condition, not a fault: 507, and the partial bytes are gone.
      throw isStorageFull(error) ? StorageErrors.storageFull() : error;
    }
  }

  private async writeBlob(key: string, body: Readable): Promise<void> {
    const target = this.blobPath(key);
    // The body may fail while nothing reads it (the file is being opened): its
    // error is taken here and raised when the body is read, not as an uncaught 'error'.
    const held = () => undefined;
    body.on('error', held);
    try {
      const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head = await gather(chunks, IN_PLACE_LIMIT);
      if (head.ended) await this.writeInPlace(target, head.chunks);
      else await this.writeThroughPart(target, head.chunks, chunks, chunksOwned(body));
    } catch (error) {
      // As a pipeline would: a body not read to its end is not left waiting.
      body.destroy();
      throw error;
    } finally {
      body.off('error', held);
    }
  }

  /**
   * A whole small body, already through its checks, goes straight to its key:
   * the bytes, the file's entry and any directory just made are fsynced side
   * by side, one wait for the disk where a rename would add a second one (a
   * 4 KiB file's cost is those waits). The file exists under its key only for
   * the few milliseconds before it is durable, while no row names its key; a
   * crash then leaves an orphan, which reconciliation removes.
   */
  private async writeInPlace(target: string, chunks: Buffer[]): Promise<void> {
    await this.createSynced(target, (handle) => writevFully(handle, chunks, 0), true);
  }

  /** A body of any length streams into `<target>.part`, which is fsynced and only then renamed into place. */
  private async writeThroughPart(target: string, head: Buffer[], rest: AsyncIterator<Buffer>, releaseChunks: boolean): Promise<void> {
    // The bytes and any directory just made are made durable side by side; the rename only after both.
    await this.createSynced(`${target}.part`, (handle) => writeBody(new BatchedWriter(handle, 0, releaseChunks), head, rest), false);
    await rename(`${target}.part`, target);
    await fsyncDir(dirname(target));
  }

  /**
   * Creates the file at `path` (and its directory, the first time), lets
   * `fill` write it, and fsyncs it beside any directory just made and, when
   * `withEntry`, the directory that holds it; on any failure the file is
   * closed and removed.
   */
  private async createSynced(path: string, fill: (handle: FileHandle) => Promise<void>, withEntry: boolean): Promise<void> {
    const dir = dirname(path);
    let made: string[] = [];
    let handle: FileHandle;
    try {
      handle = await open(path, 'wx', 0o600);
    } catch (error) {
      // A shard is made when first written to: no mkdir on every write (a thread-pool round
      // trip each). Whoever makes it fsyncs its parent; a write that finds it made a moment
      // ago relies, as before, on the journal committing that mkdir with its own fsync.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      made = await this.makeDir(dir);
      handle = await open(path, 'wx', 0o600);
    }
    const dirs = new Set(made.map((m) => dirname(m)));
    if (withEntry) dirs.add(dir);
    try {
      await fill(handle);
      await Promise.all([handle.sync(), ...[...dirs].map(fsyncDir)]);
    } catch (error) {
      await handle.close();
      await rm(path, { force: true });
      throw error;
    }
    await handle.close();
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    const handle = await this.openBlob(key);
    if (range) return new FileReadStream(handle, range.start, range.end + 1);
    try {
      return new FileReadStream(handle, 0, (await handle.stat()).size);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await Promise.all([rm(this.blobPath(key), { force: true }), rm(this.legacyPath(key), { force: true })]);
  }

  /** Finds the file's blobs by name in its shard: a listing of ~1/4,096 of the store's files. */
  async deleteFile(fileId: string): Promise<void> {
    const shard = this.shardOf(fileId);
    const own = `${fileId}.`;
    const flat = (await readdirOrEmpty(shard)).filter((name) => name.startsWith(own));
    await Promise.all([rm(this.stagingDir(fileId), { recursive: true, force: true }), ...flat.map((name) => rm(join(shard, name), { force: true }))]);
  }

  async exists(key: string): Promise<boolean> {
    for (const path of [this.blobPath(key), this.legacyPath(key)]) {
      const info = await stat(path).catch(() => null);
      if (info) return info.isFile();
    }
    return false;
  }

  async checkWritable(): Promise<void> {
    const dir = join(this.root, '.probe');
    const probe = join(dir, randomUUID());
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(probe, 'ok');
    } catch (error) {
      throw isStorageFull(error) ? StorageErrors.storageFull() : error;
    } finally {
      await rm(probe, { force: true });
    }
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    for (const shard of await readdirOrEmpty(this.root)) {
      if (/^[0-9a-f]{3}$/.test(shard)) {
        for (const name of await readdirOrEmpty(join(this.root, shard))) {
          const key = name.replace('.', '/');
          if (!isBlobKey(key)) continue; // a `.part` of a write in flight, or a stray
          const info = await stat(join(this.root, shard, name)).catch(() => null);
          if (info?.isFile()) yield { key, modifiedAt: info.mtime };
        }
      } else if (/^[0-9a-f]{2}$/.test(shard)) {
        // Staging directories, and blobs written before the flat layout.
        for (const fileId of await readdirOrEmpty(join(this.root, shard))) {
          for (const attempt of await readdirOrEmpty(join(this.root, shard, fileId))) {
            const key = `${fileId}/${attempt}`;
            if (!isBlobKey(key)) continue;
            const info = await stat(join(this.root, shard, fileId, attempt)).catch(() => null);
            if (info?.isFile()) yield { key, modifiedAt: info.mtime };
          }
        }
      }
    }
  }

  async beginResumable(key: string): Promise<ResumableState> {
    assertBlobKey(key);
    return { key, runs: [] } satisfies FsResumableState;
  }

  async openAppend(state: ResumableState, takeover: boolean, releaseChunks = false): Promise<ResumableAppend> {
    const { key, runs } = state as FsResumableState;
    const dir = this.stagingDirOf(key);
    const last = runs.at(-1);
    const fresh = takeover || last === undefined;
    // A run on record lies in the directory already.
    if (last === undefined) await this.ensureDir(dir);
    const name = fresh ? `tus-${randomUUID()}` : last.name;
    const path = join(dir, assertRun(name));
    // Bytes past the recorded size (a discarded or uncommitted append) are overwritten, and cut at completion.
    const handle = await open(path, fresh ? 'wx' : 'r+', 0o600);
    const writer = new BatchedWriter(handle, fresh ? 0 : last.size, releaseChunks);
    let done = false;
    return {
      write: (chunk) => writer.write(chunk),
      commit: async () => {
        done = true;
        try {
          await writer.flush();
          await handle.sync();
        } finally {
          await writer.settle();
          await handle.close();
        }
        if (fresh) await fsyncDir(dir);
        const kept = fresh ? runs : runs.slice(0, -1);
        return { key, runs: [...kept, { name, size: writer.position }] } satisfies FsResumableState;
      },
      discard: async () => {
        if (done) return;
        done = true;
        await writer.settle();
        await handle.close();
        if (fresh) await rm(path, { force: true });
      },
    };
  }

  override readResumable(state: ResumableState, start: number, end: number): Promise<Readable> {
    const { key, runs } = state as FsResumableState;
    const dir = this.stagingDirOf(key);
    const pieces: Array<{ path: string; start: number; end: number }> = [];
    let at = 0;
    for (const run of runs) {
      const [from, to] = [Math.max(start, at), Math.min(end, at + run.size)];
      if (from < to) pieces.push({ path: join(dir, assertRun(run.name)), start: from - at, end: to - at });
      at += run.size;
    }
    return Promise.resolve(Readable.from(concatenated(pieces)));
  }

  async completeResumable(state: ResumableState): Promise<void> {
    const { key, runs } = state as FsResumableState;
    const target = this.blobPath(key);
    const staging = this.stagingDirOf(key);
    if (runs.length === 0) {
      await this.write(key, Readable.from([]));
      return;
    }
    const paths = runs.map((run) => join(staging, assertRun(run.name)));
    if (await this.exists(key)) {
      // Completed before a crash: only the leftovers may remain.
      await this.removeStaging(staging, paths);
      return;
    }
    if (runs.length === 1) {
      // The common case: the one run becomes the blob, no byte copied.
      await truncate(paths[0], runs[0].size);
      const handle = await open(paths[0], 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await this.ensureDir(dirname(target));
      await rename(paths[0], target);
      await fsyncDir(dirname(target));
    } else {
      await this.write(key, Readable.from(concatenated(paths.map((path, i) => ({ path, start: 0, end: runs[i].size })))));
    }
    await this.removeStaging(staging, paths);
  }

  /** The runs, then their directory if nothing else is left in it (a blob of the old layout may be). */
  private async removeStaging(staging: string, runs: string[]): Promise<void> {
    for (const path of runs) await rm(path, { force: true });
    await rmdir(staging).catch(() => undefined);
  }

  async compose(key: string, sources: ReadonlyArray<{ key: string; size: number }>): Promise<void> {
    // Without reflinks a file system cannot join files in place: the bytes are streamed once.
    const paths = await Promise.all(sources.map(async (s) => ({ path: await this.pathOf(s.key), start: 0, end: s.size })));
    await this.write(key, Readable.from(concatenated(paths)));
  }

  /**
   * What the store keeps for a file, by attempt (for tests): its blobs and
   * any unfinished `<attemptId>.part`, and the runs staged for it.
   */
  async listFileEntries(fileId: string): Promise<string[]> {
    const own = `${fileId}.`;
    const flat = (await readdirOrEmpty(this.shardOf(fileId))).filter((name) => name.startsWith(own)).map((name) => name.slice(own.length));
    return [...flat, ...(await readdirOrEmpty(this.stagingDir(fileId)))].sort();
  }

  private shardOf(fileId: string): string {
    assertFileId(fileId);
    return join(this.root, fileId.slice(0, 3));
  }

  /** Where a blob is written: `<shard>/<fileId>.<attemptId>`. */
  private blobPath(key: string): string {
    assertBlobKey(key);
    const [fileId, attemptId] = key.split('/');
    return join(this.shardOf(fileId), `${fileId}.${attemptId}`);
  }

  private stagingDir(fileId: string): string {
    assertFileId(fileId);
    return join(this.root, fileId.slice(0, 2), fileId);
  }

  private stagingDirOf(key: string): string {
    assertBlobKey(key);
    return this.stagingDir(key.split('/')[0]);
  }

  /** Where a blob written before the flat layout lies: in its file's staging directory. */
  private legacyPath(key: string): string {
    return join(this.stagingDirOf(key), key.split('/')[1]);
  }

  /** The blob's path, in the flat layout or the old one; the flat one when neither exists. */
  private async pathOf(key: string): Promise<string> {
    const flat = this.blobPath(key);
    if (await stat(flat).then(() => true, () => false)) return flat;
    const legacy = this.legacyPath(key);
    return (await stat(legacy).then(() => true, () => false)) ? legacy : flat;
  }

  /** Opens a blob for reading where it lies (flat, else the old layout); BlobNotFoundError when it is in neither. */
  private async openBlob(key: string): Promise<FileHandle> {
    for (const path of [this.blobPath(key), this.legacyPath(key)]) {
      try {
        return await open(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new BlobNotFoundError(key);
  }

  /** mkdir -p, fsyncing each parent of a directory it created so the new entries are durable too. */
  private async ensureDir(dir: string): Promise<void> {
    await Promise.all((await this.makeDir(dir)).map((made) => fsyncDir(dirname(made))));
  }

  /** mkdir -p; answers the directories it made (whose parents need an fsync before they count). */
  private async makeDir(dir: string): Promise<string[]> {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (first === undefined) return [];
    const made: string[] = [];
    for (let created = dir; ; created = dirname(created)) {
      made.push(created);
      if (created === first) return made;
    }
  }
}

/** A body that ends within this many bytes is written in place (see writeInPlace): what a JSON body may hold in memory too. */
const IN_PLACE_LIMIT = 64 * 1024;
/** Up to this much of what arrived while a write was in flight goes out in the next one. */
const WRITE_BATCH = 1024 * 1024;
/** Each time this much more is written, the disk is asked to take it (see BatchedWriter). */
const WRITEBACK_EVERY = 4 * 1024 * 1024;

/**
 * Writes chunks into a file from `position` on, straight to the handle (for
 * a small file a write stream's machinery cost more than the write). A chunk
 * is taken at once while less than WRITE_BATCH waits; what arrived while a
 * write was in flight goes out together in one writev, so reading the body
 * and writing it overlap and no byte is copied.
 *
 * Every WRITEBACK_EVERY bytes it starts a datasync in the background, so the
 * disk takes the bytes while more arrive: the kernel would otherwise hold
 * them all until the closing fsync, which then waits for every one of them
 * (measured: uploads 7-10 % faster). A failed one fails the write: after
 * an I/O error a later fsync may report success for lost pages.
 */
class BatchedWriter {
  private batch: Buffer[] = [];
  private batched = 0;
  private inFlight: Promise<void> = Promise.resolve();
  /** Background datasyncs, one after another; never rejects (see writebackError). */
  private writeback: Promise<void> = Promise.resolve();
  private writebackError: Error | null = null;
  private writebackFrom = 0;

  constructor(
    private readonly handle: FileHandle,
    /** Where the next byte taken goes. */
    public position: number,
    /** The chunks are the writer's to free once written (see owned-chunks). */
    private readonly releaseChunks: boolean,
  ) {}

  /** Takes a chunk; resolves when the writer can take the next one (back-pressure). */
  async write(chunk: Buffer): Promise<void> {
    this.batch.push(chunk);
    this.batched += chunk.length;
    this.position += chunk.length;
    if (this.batched >= WRITE_BATCH) {
      await this.inFlight;
      this.inFlight = this.writeBatch();
    }
  }

  /** Every chunk taken is written (not yet fsynced: the caller's fsync makes it durable). */
  async flush(): Promise<void> {
    await this.inFlight;
    if (this.batched > 0) await this.writeBatch();
    await this.writeback;
    if (this.writebackError) throw this.writebackError;
  }

  /** Waits out the writes and syncs in flight, whatever they came to: before the file is closed or removed on failure. */
  async settle(): Promise<void> {
    await this.inFlight.catch(() => undefined);
    await this.writeback;
  }

  private async writeBatch(): Promise<void> {
    const buffers = this.batch;
    const at = this.position - this.batched;
    const end = this.position;
    this.batch = [];
    this.batched = 0;
    await writevFully(this.handle, buffers, at);
    if (this.releaseChunks) buffers.forEach(releaseChunk);
    if (end - this.writebackFrom >= WRITEBACK_EVERY) {
      this.writebackFrom = end;
      this.writeback = this.writeback
        .then(() => this.handle.datasync())
        .catch((error: Error) => void (this.writebackError ??= error));
    }
  }
}

/** Writes `head`, then the rest of a body, through `writer`. */
async function writeBody(writer: BatchedWriter, head: Buffer[], rest: AsyncIterator<Buffer>): Promise<void> {
  try {
    for (const chunk of head) await writer.write(chunk);
    for (let next = await rest.next(); !next.done; next = await rest.next()) await writer.write(next.value);
  } finally {
    await writer.settle();
  }
  await writer.flush();
}

/** Reads chunks until the body ends or passes `limit` bytes (what was read is answered either way). */
async function gather(chunks: AsyncIterator<Buffer>, limit: number): Promise<{ chunks: Buffer[]; ended: boolean }> {
  const taken: Buffer[] = [];
  for (let size = 0; size <= limit; ) {
    const next = await chunks.next();
    if (next.done) return { chunks: taken, ended: true };
    taken.push(next.value);
    size += next.value.length;
  }
  return { chunks: taken, ended: false };
}

/** Writes all of `buffers` at `position`, in order (a writev may take less than it was given). */
async function writevFully(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  let at = position;
  while (rest.length > 0) {
    let { bytesWritten } = await handle.writev(rest, at);
    at += bytesWritten;
    let i = 0;
    while (i < rest.length && bytesWritten >= rest[i].length) bytesWritten -= rest[i++].length;
    rest = rest.slice(i);
    if (bytesWritten > 0) rest[0] = rest[0].subarray(bytesWritten);
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function assertRun(name: string): string {
  if (!RUN_NAME.test(name)) throw new Error(`not a resumable run: ${JSON.stringify(name)}`);
  return name;
}

/** Bytes [start, end) of each file, in order. */
async function* concatenated(files: Array<{ path: string; start: number; end: number }>): AsyncGenerator<Buffer> {
  for (const file of files) {
    if (file.end <= file.start) continue;
    const handle = await open(file.path, 'r');
    try {
      for await (const chunk of handle.createReadStream({ start: file.start, end: file.end - 1, highWaterMark: 1024 * 1024, autoClose: false })) {
        yield chunk as Buffer;
      }
    } finally {
      await handle.close();
    }
  }
}
