import { createHash } from 'node:crypto';
import { finished, Transform, type TransformCallback, type Readable } from 'node:stream';
import { chunksOwned, markChunksOwned } from '../common/owned-chunks';
import { StorageErrors } from './storage.errors';

/**
 * Passes an upload's bytes through while hashing and counting them, and fails
 * the stream (so the blob store keeps nothing) the moment the body is longer
 * than declared, or at its end when it is shorter or its SHA-256 is not the
 * one the client promised. A blob store therefore only ever completes a write
 * whose bytes are exactly the declared ones.
 */
export class UploadMeter extends Transform {
  protected readonly hash = createHash('sha256');
  protected received = 0;
  protected digest: string | null = null;

  constructor(
    private readonly expectedSize: number,
    private readonly expectedSha256: string | null,
  ) {
    super();
  }

  /**
   * A meter for a body of unknown length (a browser's multipart file): any
   * size up to `limit` bytes, over it fails with the upload limit's 413.
   */
  static upTo(limit: number): UploadMeter {
    return new UnsizedUploadMeter(limit);
  }

  /** Bytes that went through so far. */
  get receivedBytes(): number {
    return this.received;
  }

  /** Hex SHA-256 of the bytes, once the whole body went through. */
  get sha256(): string {
    if (this.digest === null) throw new Error('the upload has not finished');
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expectedSize) {
      callback(StorageErrors.bodyTooLong(this.expectedSize));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received < this.expectedSize) {
      callback(StorageErrors.bodyTooShort(this.received, this.expectedSize));
      return;
    }
    const digest = this.hash.digest('hex');
    if (this.expectedSha256 !== null && digest !== this.expectedSha256) {
      callback(StorageErrors.checksumMismatch(digest));
      return;
    }
    this.digest = digest;
    callback();
  }
}

class UnsizedUploadMeter extends UploadMeter {
  constructor(private readonly limit: number) {
    super(limit, null);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.received + chunk.length > this.limit) {
      callback(StorageErrors.sizeOverLimit(this.limit));
      return;
    }
    super._transform(chunk, _encoding, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    callback();
  }
}

/**
 * Feeds `source` (the request body) through `meter`. Unlike `pipeline`, a
 * failing meter does not destroy the request: the server can still answer
 * 413 or 400 instead of dropping the connection. A request that ends early
 * (the client went away) fails the meter.
 */
export function meterUpload(source: Readable, meter: UploadMeter): UploadMeter {
  finished(source, (error) => {
    if (error && !meter.destroyed) meter.destroy(StorageErrors.uploadInterrupted());
  });
  meter.once('error', () => source.unpipe(meter));
  source.pipe(meter);
  // The meter passes on the very chunks it is given, and keeps none.
  return chunksOwned(source) ? markChunksOwned(meter) : meter;
}
