import type { Readable } from 'node:stream';

/** Inclusive byte offsets, as in an HTTP `Content-Range`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Where file bytes live. Keys are server-generated (`<fileId>/<attemptId>`),
 * never derived from user input, so a driver may map them to paths or object
 * names as they are.
 *
 * The contract every driver keeps (and test/support/blob-store-contract.ts checks):
 * - `write` resolves only once the bytes are durable and readable under `key`;
 *   if `body` fails (a client abort, a size or checksum check), it rejects with
 *   that error and nothing is left under `key`, not even a partial or temp blob.
 * - `read` opens the blob before resolving, so a missing blob is an error then,
 *   not after response headers went out.
 */
export abstract class BlobStore {
  /** Short name for logs and health output. */
  abstract readonly name: string;

  /**
   * Streams `body` into a new blob at `key`, with back-pressure. A driver may
   * free the chunks of a body marked as owning them once they are written.
   */
  abstract write(key: string, body: Readable): Promise<void>;

  /** A stream of the blob's bytes, or of `range` of them. Rejects with BlobNotFoundError. */
  abstract read(key: string, range?: ByteRange): Promise<Readable>;

  /** Removes one blob; a missing one is not an error. */
  abstract delete(key: string): Promise<void>;

  /** Removes every blob and leftover of a file (all its upload attempts, finished or not). */
  abstract deleteFile(fileId: string): Promise<void>;

  /** Whether a blob exists under `key` (for sweeps and tests, not the request path). */
  abstract exists(key: string): Promise<boolean>;

  /** Throws when the store cannot take a write (readiness checks). */
  abstract checkWritable(): Promise<void>;

  // Resumable uploads (tus). The caller keeps the driver's state (JSON) in the
  // database beside the offset and passes it back; the driver keeps nothing in
  // memory between calls, so any instance can take the next request.

  /** Prepares a resumable upload of `length` bytes that will end up at `key`. */
  abstract beginResumable(key: string, length: number): Promise<ResumableState>;

  /**
   * Opens an append at the upload's durable end. `takeover`: the previous
   * writer lost its lease without releasing it and may still be writing, so
   * nothing it can still touch may be reused. `releaseChunks`: the chunks
   * given to `write` are the append's to free once written (see owned-chunks).
   */
  abstract openAppend(state: ResumableState, takeover: boolean, releaseChunks?: boolean): Promise<ResumableAppend>;

  /**
   * The bytes [start, end) of an unfinished resumable upload, on a driver that
   * can read them back (fs; S3 keeps uploaded parts unreadable until the upload
   * completes, so it has no such method). Lets a whole-file hash catch up.
   */
  readResumable?(state: ResumableState, start: number, end: number): Promise<Readable>;

  /**
   * Makes the finished upload readable at its key (idempotent: a call after a
   * crash midway completes or finds it completed) and removes its staging.
   */
  abstract completeResumable(state: ResumableState): Promise<void>;

  /**
   * Writes a new blob at `key` that is the given blobs joined in order,
   * without passing the bytes through the app where the driver can.
   */
  abstract compose(key: string, sources: ReadonlyArray<{ key: string; size: number }>): Promise<void>;

  /**
   * Every finished blob in the store with the time it was last written, in no
   * particular order (for reconciliation). Unfinished writes (temp files,
   * multipart uploads in progress) are not blobs and are not listed; the one
   * exception, a small fs write in the milliseconds before its fsync, is far
   * younger than reconciliation's safety age.
   */
  abstract listBlobs(): AsyncIterable<StoredBlob>;
}

/** A driver's record of a resumable upload: plain JSON, kept by the caller. */
export type ResumableState = { key: string } & Record<string, unknown>;

/** One request's bytes being appended to a resumable upload. */
export interface ResumableAppend {
  /** Appends a chunk (resolves when the driver can take the next one: back-pressure). */
  write(chunk: Buffer): Promise<void>;
  /** Makes every byte written durable and answers the state to record with the new offset. */
  commit(): Promise<ResumableState>;
  /** Drops this append's bytes; the state it was opened with stays valid. */
  discard(): Promise<void>;
}

export interface StoredBlob {
  key: string;
  modifiedAt: Date;
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`blob ${key} does not exist`);
    this.name = 'BlobNotFoundError';
  }
}

/** `<fileId>/<attemptId>`: each upload attempt writes its own blob, so racing attempts never share bytes. */
export function blobKeyFor(fileId: string, attemptId: string): string {
  return `${fileId}/${attemptId}`;
}

const KEY = /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/;

/** Whether `key` has the shape of a blob key (listings skip anything else, e.g. probes). */
export const isBlobKey = (key: string): boolean => KEY.test(key);
const FILE_ID = /^[0-9a-f-]{36}$/;

/** Keys and ids come from the database, but a driver that maps them to paths checks anyway. */
export function assertBlobKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`not a blob key: ${JSON.stringify(key)}`);
}

export function assertFileId(fileId: string): void {
  if (!FILE_ID.test(fileId)) throw new Error(`not a file id: ${JSON.stringify(fileId)}`);
}
