import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
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
 * file's directory, appended in place by successive requests. A new run starts
 * only when a writer took over from one that lost its lease (it may still be
 * writing to the old run, past its recorded size, which nothing reads).
 */
interface FsResumableState extends ResumableState {
  runs: Array<{ name: string; size: number }>;
}
const RUN_NAME = /^tus-[0-9a-f-]{36}$/;

/**
 * Blobs as files under `<root>/<first two of fileId>/<fileId>/<attemptId>`.
 * A write lands in `<attemptId>.part` beside its target, is fsynced, renamed
 * into place and the directory fsynced: after `write` resolves the bytes
 * survive a crash, and before it nothing readable exists under the key. All
 * of a file's attempts (and leftovers of a crash) share its directory, so
 * `deleteFile` is one recursive remove.
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
    const target = this.pathOf(key);
    const dir = dirname(target);
    await this.ensureDir(dir);
    const temp = `${target}.part`;
    // `flush`: fsync before close, and on success the pipeline settles only after the close.
    const file = createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true, highWaterMark: 1024 * 1024 });
    try {
      await pipeline(body, file);
      await rename(temp, target);
      await fsyncDir(dir);
    } catch (error) {
      // A failing body (too long, interrupted) rejects the pipeline at once,
      // possibly while the file is still being opened on another thread:
      // removing it before the stream has closed lets the open land after the
      // removal and leaves a `.part` behind.
      await closed(file);
      await rm(temp, { force: true });
      await rm(target, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    let handle: FileHandle;
    try {
      handle = await open(this.pathOf(key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(key);
      throw error;
    }
    return handle.createReadStream({ start: range?.start, end: range?.end, highWaterMark: 1024 * 1024 });
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async deleteFile(fileId: string): Promise<void> {
    await rm(this.fileDir(fileId), { recursive: true, force: true });
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch {
      return false;
    }
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
      if (!/^[0-9a-f]{2}$/.test(shard)) continue;
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

  async beginResumable(key: string): Promise<ResumableState> {
    assertBlobKey(key);
    return { key, runs: [] } satisfies FsResumableState;
  }

  async openAppend(state: ResumableState, takeover: boolean): Promise<ResumableAppend> {
    const { key, runs } = state as FsResumableState;
    const dir = dirname(this.pathOf(key));
    await this.ensureDir(dir);
    const last = runs.at(-1);
    const fresh = takeover || last === undefined;
    const name = fresh ? `tus-${randomUUID()}` : last.name;
    const path = join(dir, assertRun(name));
    // Bytes past the recorded size (a discarded or uncommitted append) are overwritten, and cut at completion.
    const handle = await open(path, fresh ? 'wx' : 'r+', 0o600);
    let position = fresh ? 0 : last.size;
    let done = false;
    return {
      write: async (chunk) => {
        let written = 0;
        while (written < chunk.length) {
          written += (await handle.write(chunk, written, chunk.length - written, position + written)).bytesWritten;
        }
        position += chunk.length;
      },
      commit: async () => {
        done = true;
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
        if (fresh) await fsyncDir(dir);
        const kept = fresh ? runs : runs.slice(0, -1);
        return { key, runs: [...kept, { name, size: position }] } satisfies FsResumableState;
      },
      discard: async () => {
        if (done) return;
        done = true;
        await handle.close();
        if (fresh) await rm(path, { force: true });
      },
    };
  }

  async completeResumable(state: ResumableState): Promise<void> {
    const { key, runs } = state as FsResumableState;
    const target = this.pathOf(key);
    const dir = dirname(target);
    if (runs.length === 0) {
      await this.write(key, Readable.from([]));
      return;
    }
    const paths = runs.map((run) => join(dir, assertRun(run.name)));
    if (await this.exists(key)) {
      // Completed before a crash: only the leftovers may remain.
      for (const path of paths) await rm(path, { force: true });
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
      await rename(paths[0], target);
      await fsyncDir(dir);
      return;
    }
    await this.write(key, Readable.from(concatenated(paths.map((path, i) => ({ path, size: runs[i].size })))));
    for (const path of paths) await rm(path, { force: true });
  }

  async compose(key: string, sources: ReadonlyArray<{ key: string; size: number }>): Promise<void> {
    // Without reflinks a file system cannot join files in place: the bytes are streamed once.
    await this.write(key, Readable.from(concatenated(sources.map((s) => ({ path: this.pathOf(s.key), size: s.size })))));
  }

  /** Files left in a file's directory: its blobs and any unfinished `.part` (for tests). */
  async listFileEntries(fileId: string): Promise<string[]> {
    try {
      return (await readdir(this.fileDir(fileId))).sort();
    } catch {
      return [];
    }
  }

  private fileDir(fileId: string): string {
    assertFileId(fileId);
    return join(this.root, fileId.slice(0, 2), fileId);
  }

  private pathOf(key: string): string {
    assertBlobKey(key);
    const [fileId, attemptId] = key.split('/');
    return join(this.fileDir(fileId), attemptId);
  }

  /** mkdir -p, fsyncing each parent of a directory it created so the new entries are durable too. */
  private async ensureDir(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (first === undefined) return;
    for (let created = dir; ; created = dirname(created)) {
      await fsyncDir(dirname(created));
      if (created === first) return;
    }
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

/** The first `size` bytes of each file, in order. */
async function* concatenated(files: Array<{ path: string; size: number }>): AsyncGenerator<Buffer> {
  for (const file of files) {
    if (file.size === 0) continue;
    const handle = await open(file.path, 'r');
    try {
      for await (const chunk of handle.createReadStream({ start: 0, end: file.size - 1, highWaterMark: 1024 * 1024, autoClose: false })) {
        yield chunk as Buffer;
      }
    } finally {
      await handle.close();
    }
  }
}

/** Resolves once the stream has emitted 'close' (its file, if it opened one, is closed). */
function closed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
}
