import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { storageConfig } from '../../config';
import { Clock } from '../../common/clock';
import { ownedBy } from '../../managers';
import { BlobStore } from '../blob/blob-store';
import { type FileUploader, uploaderColumns } from '../file-summary';
import type { StoredFile } from '../stored-file.entity';
import { StoredFileRepository } from '../stored-file.repository';
import { HeldHashes, wholeHashAt } from './tus-append';
import type { TusFileMetadata } from './tus-protocol';
import type { TusUpload } from './tus-upload.entity';
import { TusUploadRepository } from './tus-upload.repository';
import { TusErrors } from './tus.errors';

/** A plain or final upload records its file at creation, pending until the upload's last byte is durable. */
export function pendingFile(id: string, ownerId: string, file: TusFileMetadata, size: number, expiresAt: Date, uploadedBy: FileUploader): Partial<StoredFile> {
  return { id, ownerId, filename: file.filename, mimeType: file.mimeType, size, status: 'pending', expectedSha256: file.sha256, expiresAt, ...uploaderColumns(uploadedBy) };
}

/**
 * An upload's life once it exists, shared by the protocol operations and by
 * concatenation so that every path finds, expires, finishes and removes an
 * upload by the same rules: looked up in the owner's scope, live until it
 * expires unless complete, made ready only when its last byte is durable,
 * removed rows first, then bytes.
 */
@Injectable()
export class TusUploadLifecycleService {
  private readonly logger = new Logger(TusUploadLifecycleService.name);

  constructor(
    private readonly uploads: TusUploadRepository,
    private readonly files: StoredFileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly hashes: HeldHashes,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  async find(ownerId: string, id: string): Promise<TusUpload> {
    const upload = await this.uploads.findForOwner(ownerId, id);
    if (!upload) throw TusErrors.uploadNotFound();
    return upload;
  }

  assertLive(upload: TusUpload): void {
    if (!upload.completed && upload.expiresAt.getTime() <= this.clock.now().getTime()) throw TusErrors.uploadExpired();
  }

  /** Completes a crash-stranded upload (all bytes durable, not yet ready) under the lease, once. */
  async recover(ownerId: string, upload: TusUpload): Promise<void> {
    const token = randomUUID();
    const claim = await this.uploads.claim(ownerId, upload.id, upload.length, token);
    if (claim.kind !== 'claimed' || claim.upload.completed) {
      if (claim.kind === 'claimed') await this.uploads.release(upload.id, token);
      return;
    }
    try {
      const hash = claim.upload.concat === 'partial' ? null : await wholeHashAt(this.blobs, claim.upload, this.hashes);
      await this.finish(ownerId, claim.upload, hash);
    } finally {
      await this.uploads.release(upload.id, token);
    }
  }

  /** The last byte is durable: the blob is put in place, the SHA-256 checked, and the file flipped to ready. */
  async finish(ownerId: string, upload: TusUpload, hash: { digest(): string } | null): Promise<void> {
    if (upload.length === 0) await this.blobs.write(upload.storeState.key, Readable.from([]));
    else await this.blobs.completeResumable(upload.storeState);
    let ready: { sha256: string; blobKey: string } | null = null;
    if (upload.fileId !== null) {
      const sha256 = hash!.digest();
      const file = await this.files.findForOwner(ownerId, upload.fileId);
      if (file?.expectedSha256 && file.expectedSha256 !== sha256) {
        // Whole and wrong: no byte can be resent to fix it, so it goes.
        await this.remove(ownerId, upload);
        throw TusErrors.fileHashMismatch(sha256);
      }
      ready = { sha256, blobKey: upload.storeState.key };
    }
    if (!(await this.uploads.markComplete(upload, ready, this.clock.now()))) {
      this.assertLive(await this.find(ownerId, upload.id));
    }
  }

  /** Rows first (a plain upload's file cascades to its tus row), then the bytes, as a file DELETE does. */
  async remove(ownerId: string, upload: TusUpload): Promise<void> {
    this.hashes.drop(upload.id);
    if (upload.fileId !== null) await this.files.deleteInScope(ownedBy(ownerId), upload.fileId);
    else await this.uploads.deletePartial(ownerId, upload.id);
    await this.blobs
      .deleteFile(upload.id)
      .catch((error: Error) => this.logger.error(`Upload ${upload.id} removed but its blobs were not: ${error.message}`));
  }

  expiry(): Date {
    return new Date(this.clock.now().getTime() + this.config.pendingUploadTtlSeconds * 1000);
  }
}
