import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { StorageConfig } from '../../config';
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
 * A resumable upload in the bucket: one multipart upload whose part N always
 * holds bytes [(N-1)·partSize, N·partSize), so a writer that lost its lease and
 * still uploads a part writes the same part the next writer would, and
 * CompleteMultipartUpload (with the recorded ETags) refuses anything else.
 * Bytes short of a full part wait in a staging object `<fileId>/tus-stage-<end>`.
 */
interface S3ResumableState extends ResumableState {
  uploadId: string;
  partSize: number;
  parts: Array<{ PartNumber: number; ETag: string }>;
  stage: { key: string; size: number } | null;
}

/** S3's minimum part size, and its limits on part count and copy size. */
const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const MAX_COPY = 5 * 1024 ** 3;

export interface S3BlobStoreOptions {
  /** Multipart part size; S3's minimum is 5 MiB. Memory held per upload is about partSize × queueSize. */
  partSize?: number;
  queueSize?: number;
}

const MiB = 1024 * 1024;

/**
 * Blobs as objects `<fileId>/<attemptId>` in one bucket. Writes stream
 * through @aws-sdk/lib-storage: one PutObject for a body that fits in a part,
 * a multipart upload otherwise, aborted when the body fails. S3 answers a
 * PutObject or CompleteMultipartUpload only once the object is stored, so a
 * resolved `write` is durable.
 */
export class S3BlobStore extends BlobStore implements OnApplicationShutdown {
  readonly name = 's3';
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    options: S3BlobStoreOptions = {},
  ) {
    super();
    this.partSize = options.partSize ?? 8 * MiB;
    this.queueSize = options.queueSize ?? 4;
  }

  static fromConfig(config: StorageConfig['s3'], options?: S3BlobStoreOptions): S3BlobStore {
    if (!config.bucket) throw new Error('S3_BUCKET is required for the s3 storage driver');
    const client = new S3Client({
      region: config.region,
      endpoint: config.endpoint ?? undefined,
      forcePathStyle: config.forcePathStyle,
      credentials:
        config.accessKeyId && config.secretAccessKey
          ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
          : undefined,
      // Only the checksums S3 itself requires: several S3-compatible stores refuse the
      // newer default CRC trailers. Integrity is ours anyway (SHA-256 of every upload).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return new S3BlobStore(client, config.bucket, options);
  }

  async write(key: string, body: Readable): Promise<void> {
    assertBlobKey(key);
    // The body's own failure (a size or checksum check, a client abort) is the
    // one to report, not the SDK's wrapping of it.
    let bodyError: unknown = null;
    body.once('error', (error) => (bodyError = error));
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // lib-storage aborts its multipart upload; a single PutObject never started.
      await this.delete(key).catch(() => undefined);
      if (bodyError) throw bodyError;
      throw isStorageFull(error) ? StorageErrors.storageFull() : error;
    }
    if (bodyError) {
      await this.delete(key);
      throw bodyError;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    assertBlobKey(key);
    try {
      const result = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return result.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertBlobKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deleteFile(fileId: string): Promise<void> {
    assertFileId(fileId);
    const prefix = `${fileId}/`;
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    // A crash mid-upload leaves an unfinished multipart upload holding its parts.
    for (const upload of await this.pendingMultipartUploads(fileId)) {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: upload.key, UploadId: upload.uploadId }),
      );
    }
  }

  async exists(key: string): Promise<boolean> {
    assertBlobKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async checkWritable(): Promise<void> {
    const key = `.probe/${randomUUID()}`;
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: 'ok' }));
    } catch (error) {
      throw isStorageFull(error) ? StorageErrors.storageFull() : error;
    }
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async beginResumable(key: string, length: number): Promise<ResumableState> {
    assertBlobKey(key);
    const created = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    const partSize = Math.max(MIN_PART, Math.ceil(length / MAX_PARTS / MiB) * MiB);
    return { key, uploadId: created.UploadId!, partSize, parts: [], stage: null } satisfies S3ResumableState;
  }

  async openAppend(resumable: ResumableState): Promise<ResumableAppend> {
    const state = resumable as S3ResumableState;
    const parts = [...state.parts];
    // At most one part's bytes are held: the staged ones plus what arrived since.
    let buffered: Buffer[] = state.stage ? [await this.readObject(state.stage.key)] : [];
    let bufferedBytes = state.stage?.size ?? 0;
    const take = (size: number): Buffer => {
      const all = Buffer.concat(buffered);
      buffered = [all.subarray(size)];
      bufferedBytes -= size;
      return all.subarray(0, size);
    };
    return {
      write: async (chunk) => {
        buffered.push(chunk);
        bufferedBytes += chunk.length;
        while (bufferedBytes >= state.partSize) parts.push(await this.uploadPart(state, parts.length + 1, take(state.partSize)));
      },
      commit: async () => {
        let stage: S3ResumableState['stage'] = null;
        if (bufferedBytes > 0) {
          const end = parts.length * state.partSize + bufferedBytes;
          stage = { key: `${state.key.split('/')[0]}/tus-stage-${end}`, size: bufferedBytes };
          await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: stage.key, Body: take(bufferedBytes) }));
        }
        return { ...state, parts, stage } satisfies S3ResumableState;
      },
      // Parts past the recorded ones are overwritten by the next append; stray stages go at completion.
      discard: async () => undefined,
    };
  }

  async completeResumable(resumable: ResumableState): Promise<void> {
    const state = resumable as S3ResumableState;
    const parts = [...state.parts];
    try {
      if (state.stage) parts.push(await this.uploadPart(state, parts.length + 1, await this.readObject(state.stage.key)));
      if (parts.length === 0) {
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId }));
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: state.key, Body: Buffer.alloc(0) }));
      } else {
        await this.client.send(
          new CompleteMultipartUploadCommand({
            Bucket: this.bucket,
            Key: state.key,
            UploadId: state.uploadId,
            MultipartUpload: { Parts: parts },
          }),
        );
      }
    } catch (error) {
      // Completed before a crash: the multipart upload (and its staging, removed after it) are
      // gone and the object is there.
      const gone = (error as Error).name === 'NoSuchUpload' || (error as Error).name === 'NoSuchKey';
      if (!(gone && (await this.exists(state.key)))) throw error;
    }
    await this.deleteStaging(state.key.split('/')[0]);
  }

  async compose(key: string, sources: ReadonlyArray<{ key: string; size: number }>): Promise<void> {
    assertBlobKey(key);
    const nonEmpty = sources.filter((s) => s.size > 0);
    const copyable =
      nonEmpty.length > 0 &&
      nonEmpty.every((s, i) => s.size <= MAX_COPY && (i === nonEmpty.length - 1 || s.size >= MIN_PART));
    if (!copyable) {
      // Parts under S3's minimum cannot be copied into place: stream them through once.
      const read = (k: string) => this.read(k);
      await this.write(key, Readable.from((async function* () {
        for (const source of nonEmpty) yield* await read(source.key);
      })()));
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: key }));
    try {
      const parts: Array<{ PartNumber: number; ETag: string }> = [];
      for (const [i, source] of nonEmpty.entries()) {
        assertBlobKey(source.key);
        const copied = await this.client.send(
          new UploadPartCopyCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId,
            PartNumber: i + 1,
            CopySource: `${this.bucket}/${source.key}`,
          }),
        );
        parts.push({ PartNumber: i + 1, ETag: copied.CopyPartResult!.ETag! });
      }
      await this.client.send(
        new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
      );
    } catch (error) {
      await this.client
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId }))
        .catch(() => undefined);
      throw error;
    }
  }

  private async uploadPart(state: S3ResumableState, partNumber: number, body: Buffer): Promise<{ PartNumber: number; ETag: string }> {
    const result = await this.client.send(
      new UploadPartCommand({ Bucket: this.bucket, Key: state.key, UploadId: state.uploadId, PartNumber: partNumber, Body: body }),
    );
    return { PartNumber: partNumber, ETag: result.ETag! };
  }

  private async readObject(key: string): Promise<Buffer> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return Buffer.from(await result.Body!.transformToByteArray());
  }

  private async deleteStaging(fileId: string): Promise<void> {
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${fileId}/tus-stage-` }));
    for (const object of page.Contents ?? []) {
      if (object.Key) await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: object.Key }));
    }
  }

  /** Unfinished multipart uploads under a file's prefix (for deleteFile and tests). */
  async pendingMultipartUploads(fileId: string): Promise<Array<{ key: string; uploadId: string }>> {
    assertFileId(fileId);
    const found: Array<{ key: string; uploadId: string }> = [];
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: `${fileId}/`,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key && upload.UploadId) found.push({ key: upload.Key, uploadId: upload.UploadId });
      }
      if (!page.IsTruncated) return found;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  async *listBlobs(): AsyncIterable<StoredBlob> {
    let token: string | undefined;
    do {
      const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        if (object.Key && isBlobKey(object.Key)) yield { key: object.Key, modifiedAt: object.LastModified ?? new Date() };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  /** Object keys under a file's prefix (for tests). */
  async listFileObjects(fileId: string): Promise<string[]> {
    assertFileId(fileId);
    const page = await this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${fileId}/` }));
    return (page.Contents ?? []).map((o) => o.Key ?? '').sort();
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
  }
  return false;
}
