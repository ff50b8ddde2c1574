import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { createSHA256, type IHasher } from 'hash-wasm';
import type { BlobStore, ResumableState } from '../blob/blob-store';
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
  /** Extends the lease; false when another request took the upload over. */
  renew: () => Promise<boolean>;
}

/** What one request's bytes came to: nothing to record, or durable bytes and the state to record with them. */
export type AppendOutcome =
  | { kind: 'nothing' }
  | { kind: 'durable'; received: number; storeState: ResumableState; hasher: IHasher | null };

/**
 * Streams one request's body into the upload's blob with back-pressure (one
 * chunk at a time), feeding the whole-file SHA-256 (resumed from its saved
 * state) and the request's own Upload-Checksum. A body that ends normally, or
 * is cut off when no Upload-Checksum was sent, is made durable up to its last
 * byte received; a wrong checksum, a body over the length or a failing write
 * keeps nothing. The caller records the outcome with the new offset.
 */
export async function appendBody(blobs: BlobStore, input: AppendInput): Promise<AppendOutcome> {
  const { upload, body, checksum } = input;
  const remaining = upload.length - upload.offset;
  // Partials are hashed by the final that joins them, so they keep no hash state.
  const hasher = upload.concat === 'partial' ? null : await resumeHasher(upload.hashState);
  const check = checksum ? createHash(checksum.algorithm) : null;
  const append = await blobs.openAppend(upload.storeState, input.takeover);
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
      await append.write(chunk);
      hasher?.update(chunk);
      check?.update(chunk);
      received += chunk.length;
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
    return { kind: 'durable', received, storeState: await append.commit(), hasher };
  } catch (error) {
    await append.discard().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') throw TusErrors.storageFull();
    throw error;
  }
}

/** The whole-file hasher at the upload's offset: fresh at 0, else resumed from the saved state. */
export async function resumeHasher(state: Buffer | null): Promise<IHasher> {
  const hasher = await createSHA256();
  if (state) hasher.load(new Uint8Array(state));
  else hasher.init();
  return hasher;
}
