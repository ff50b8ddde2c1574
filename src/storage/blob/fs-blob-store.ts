import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import { isStorageFull, StorageErrors } from '../storage.errors';
import { assertBlobKey, assertFileId, BlobNotFoundError, BlobStore, isBlobKey, type ByteRange, type StoredBlob } from './blob-store';

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

/** Resolves once the stream has emitted 'close' (its file, if it opened one, is closed). */
function closed(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => (stream.closed ? resolve() : stream.once('close', () => resolve())));
}
