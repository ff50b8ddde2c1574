import { createHash, type Hash } from 'node:crypto';
import type { Readable, TransformCallback } from 'node:stream';
import { createSHA256, type IHasher } from 'hash-wasm';
import { LRUCache } from 'lru-cache';
import { chunksOwned } from '../../common/owned-chunks';
import type { BlobStore, ResumableState } from '../blob/blob-store';
import { UploadMeter } from '../upload-meter';
import type { UploadChecksum } from './tus-protocol';
import type { TusUpload } from './tus-upload.entity';
import { TusErrors } from './tus.errors';

/** How often a streaming PATCH extends its lease (only while bytes arrive). */
const RENEW_EVERY_MS = 1_000;

export interface AppendInput {
  upload: TusUpload;
  takeover: boolean;
  body: Readable;
  checksum: UploadChecksum | null;
  /** The upload's whole-file hash at its offset (null for a partial): see wholeHashAt(). */
  hash: WholeHash | null;
  /** Extends the lease; false when another request took the upload over. */
  renew: () => Promise<boolean>;
}

/** What one request's bytes came to: nothing to record, or durable bytes and the state to record with them. */
export type AppendOutcome =
  | { kind: 'nothing' }
  | { kind: 'durable'; received: number; storeState: ResumableState };

/**
 * Streams one request's body into the upload's blob with back-pressure (one
 * chunk at a time), feeding the whole-file SHA-256 and the request's own
 * Upload-Checksum. A body that ends normally, or is cut off when no
 * Upload-Checksum was sent, is made durable up to its last byte received; a
 * wrong checksum, a body over the length or a failing write keeps nothing.
 * The caller records the outcome with the new offset, and keeps the hash
 * only when the bytes were (it has fed on them).
 */
export async function appendBody(blobs: BlobStore, input: AppendInput): Promise<AppendOutcome> {
  const { upload, body, checksum, hash } = input;
  const remaining = upload.length - upload.offset;
  const check = checksum ? createHash(checksum.algorithm) : null;
  const append = await blobs.openAppend(upload.storeState, input.takeover, chunksOwned(body));
  let received = 0;
  let dropped = false;
  let lastRenew = Date.now();
  try {
    const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch {
        // The client went away mid-body: what arrived is whole bytes, in order.
        dropped = true;
        break;
      }
      if (next.done) break;
      const chunk = next.value;
      if (received + chunk.length > remaining) throw TusErrors.bodyOverLength(remaining);
      // Hashed before it is written: the append may free a chunk once it is on disk.
      hash?.update(chunk);
      check?.update(chunk);
      received += chunk.length;
      await append.write(chunk);
      if (Date.now() - lastRenew >= RENEW_EVERY_MS) {
        lastRenew = Date.now();
        if (!(await input.renew())) throw TusErrors.busy();
      }
    }
    if (checksum && (dropped || !check!.digest().equals(checksum.digest))) {
      await append.discard();
      if (dropped) return { kind: 'nothing' };
      throw TusErrors.checksumMismatch();
    }
    if (received === 0) {
      await append.discard();
      return { kind: 'nothing' };
    }
    return { kind: 'durable', received, storeState: await append.commit() };
  } catch (error) {
    await append.discard().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw TusErrors.storageFull();
    throw error;
  }
}

/**
 * An upload's whole-file SHA-256 as it goes from request to request. Node's
 * own hash is six times as fast as hash-wasm's here, but its state cannot be
 * saved: so where the driver can read the bytes back (fs), the process that
 * writes an upload holds its native hash in memory between PATCHes (one
 * client's PATCHes usually reach one process), and a process that finds none
 * resumes the saved state and catches it up from the stored bytes. Where it
 * cannot (S3), the hash-wasm state is saved with every offset, as before.
 */
export type WholeHash =
  | { kind: 'native'; hash: Hash; update(chunk: Buffer): void; digest(): string }
  | { kind: 'saved'; hasher: IHasher; update(chunk: Buffer): void; digest(): string };

const nativeHash = (hash: Hash): WholeHash => ({ kind: 'native', hash, update: (c) => void hash.update(c), digest: () => hash.digest('hex') });
const savedHash = (hasher: IHasher): WholeHash => ({ kind: 'saved', hasher, update: (c) => void hasher.update(c), digest: () => hasher.digest('hex') });

/** Native whole-file hashes this process holds between requests, by upload id and the offset they stand at. */
export class HeldHashes {
  private readonly held: LRUCache<string, { offset: number; hash: Hash }>;

  /** At most `capacity` held (the least recently kept go first: a lost one costs a catch-up, not an error). */
  constructor(capacity = 1_000) {
    this.held = new LRUCache({ max: capacity });
  }

  /** Takes the upload's hash if it stands at `offset` (the bytes below it never change). */
  take(id: string, offset: number): Hash | null {
    const entry = this.held.get(id);
    this.held.delete(id);
    return entry?.offset === offset ? entry.hash : null;
  }

  keep(id: string, offset: number, hash: Hash): void {
    this.held.set(id, { offset, hash });
  }

  drop(id: string): void {
    this.held.delete(id);
  }

  clear(): void {
    this.held.clear();
  }
}

/**
 * The whole-file hash of a plain or final upload at its offset: the one this
 * process holds; a fresh native one at offset 0 on a driver that reads back;
 * else the saved state, caught up from the stored bytes where it lags. A held
 * hash comes as a copy, and the original is kept back at the old offset, so
 * a request whose bytes are not kept spoils nothing.
 */
export async function wholeHashAt(blobs: BlobStore, upload: TusUpload, held: HeldHashes): Promise<WholeHash> {
  const kept = held.take(upload.id, upload.offset);
  if (kept) {
    held.keep(upload.id, upload.offset, kept);
    return nativeHash(kept.copy());
  }
  if (upload.offset === 0 && blobs.readResumable) return nativeHash(createHash('sha256'));
  const hasher = await resumeHasher(upload.hashState);
  const from = upload.hashOffset ?? 0;
  if (from < upload.offset) {
    if (!blobs.readResumable) throw new Error(`upload ${upload.id}: its hash stands at ${from} of ${upload.offset} and ${blobs.name} cannot read back`);
    for await (const chunk of await blobs.readResumable(upload.storeState, from, upload.offset)) hasher.update(chunk as Buffer);
  }
  return savedHash(hasher);
}

/** A hash-wasm SHA-256: fresh, or resumed from a saved state. */
async function resumeHasher(state: Buffer | null): Promise<IHasher> {
  const hasher = await createSHA256();
  if (state) hasher.load(new Uint8Array(state));
  else hasher.init();
  return hasher;
}

/**
 * The meter of a whole upload sent with its creation (Content-Length =
 * Upload-Length): the file's SHA-256 is Node's own hash, as a PUT's (no state
 * is saved: nothing is recorded before the last byte). At the end the
 * request's Upload-Checksum is checked first (460), then the declared sha256
 * of the file (400), as a last PATCH would.
 */
export class WholeUploadMeter extends UploadMeter {
  /** The Upload-Checksum hash when it is not the file's SHA-256 itself. */
  private readonly check: Hash | null;

  constructor(
    length: number,
    private readonly declaredSha256: string | null,
    private readonly checksum: UploadChecksum | null,
  ) {
    super(length, null);
    this.check = checksum && checksum.algorithm !== 'sha256' ? createHash(checksum.algorithm) : null;
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    this.check?.update(chunk);
    super._transform(chunk, encoding, callback);
  }

  override _flush(callback: TransformCallback): void {
    super._flush((error) => {
      if (error) return callback(error);
      const sha256 = this.sha256;
      if (this.checksum) {
        const digest = this.check ? this.check.digest() : Buffer.from(sha256, 'hex');
        if (!digest.equals(this.checksum.digest)) return callback(TusErrors.checksumMismatch());
      }
      if (this.declaredSha256 !== null && this.declaredSha256 !== sha256) return callback(TusErrors.fileHashMismatch(sha256));
      callback();
    });
  }
}
