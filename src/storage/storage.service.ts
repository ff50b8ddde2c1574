import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { storageConfig } from '../config';
import type { OwnerScope } from '../managers';
import { type AuditActor, type AuditOrigin, AuditService } from '../audit';
import { BlobStore } from './blob/blob-store';
import { Clock } from '../common/clock';
import { decodeCursor, encodeCursor } from './file-cursor';
import {
  type FilePage,
  type FileSummary,
  type FileUploader,
  type PendingUpload,
  type StorageUsage,
  toFileSummary,
} from './file-summary';
import { StoredFileRepository } from './stored-file.repository';
import { StorageUrls } from './storage-urls';
import { StorageErrors } from './storage.errors';

export const DEFAULT_PAGE_SIZE = 20;

export interface NewUpload {
  filename: string;
  mimeType: string;
  size: number;
  /** Hex SHA-256 the client promises; checked when the bytes arrive. */
  sha256?: string;
}

export interface FileListQuery {
  /** 1–100; default DEFAULT_PAGE_SIZE. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Pending uploads too (default: ready files only). */
  includePending?: boolean;
  /** Case-insensitive substring of the filename, taken literally (`%` and `_` are not wildcards). */
  nameContains?: string;
  /** Only the files this API key created. */
  uploadedByKeyId?: string;
}

/**
 * File metadata: registering uploads, listing, usage, deletion. The bytes are
 * FileContentService's. Reads take an OwnerScope: an API key passes its
 * owner's, the dashboard the signed-in manager's (an admin's is everyone's).
 */
@Injectable()
export class StorageService {
  private readonly logger = new Logger(StorageService.name);

  constructor(
    private readonly files: StoredFileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly urls: StorageUrls,
    private readonly audit: AuditService,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  /** Registers a pending upload; the bytes follow with a PUT to `uploadUrl`. */
  async createUpload(
    ownerId: string,
    upload: NewUpload,
    requestOrigin: string,
    uploadedBy: FileUploader,
  ): Promise<PendingUpload> {
    if (upload.size > this.config.maxUploadBytes) throw StorageErrors.sizeOverLimit(this.config.maxUploadBytes);
    const file = await this.files.insertPending({
      ownerId,
      filename: upload.filename,
      mimeType: upload.mimeType,
      size: upload.size,
      expectedSha256: upload.sha256?.toLowerCase() ?? null,
      expiresAt: new Date(this.clock.now().getTime() + this.config.pendingUploadTtlSeconds * 1000),
      uploadedBy,
    });
    return { file: toFileSummary(file), uploadUrl: this.urls.fileContent(requestOrigin, file.id), expiresAt: file.expiresAt! };
  }

  async get(scope: OwnerScope, id: string): Promise<FileSummary> {
    const file = await this.files.findInScope(scope, id);
    if (!file) throw StorageErrors.fileNotFound();
    return toFileSummary(file);
  }

  async list(scope: OwnerScope, query: FileListQuery = {}): Promise<FilePage> {
    const page = await this.files.pageInScope(scope, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      after: query.cursor === undefined ? null : decodeCursor(query.cursor),
      includePending: query.includePending ?? false,
      nameContains: query.nameContains,
      uploadedByKeyId: query.uploadedByKeyId,
    });
    return { items: page.files.map(toFileSummary), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  /** Count and bytes of the ready files in scope; of one key's files when `uploadedByKeyId` is given. */
  usage(scope: OwnerScope, uploadedByKeyId?: string): Promise<StorageUsage> {
    return this.files.usageInScope(scope, uploadedByKeyId);
  }

  /**
   * The row goes first (in its own statement), then every blob of the file.
   * A crash in between leaves unreferenced bytes, never a listed file
   * without them; an upload still streaming in finds no row and drops its own blob.
   */
  async delete(scope: OwnerScope, id: string): Promise<void> {
    if (!(await this.files.deleteInScope(scope, id))) throw StorageErrors.fileNotFound();
    await this.dropBlobs(id);
  }

  /**
   * A person's deletion (the dashboard): the row and its audit entry (who,
   * when, from where) commit together, then the blobs go as in delete().
   */
  async deleteAudited(scope: OwnerScope, id: string, by: { actor: AuditActor; origin: AuditOrigin }): Promise<FileSummary> {
    const deleted = await this.files.transaction(async (tx) => {
      const file = await this.files.deleteInScopeWithin(scope, id, tx);
      if (!file) return null;
      const summary = toFileSummary(file);
      await this.audit.record(
        [
          {
            action: 'file.deleted',
            at: this.clock.now(),
            actor: by.actor,
            origin: by.origin,
            subject: { type: 'file', id: file.id, ownerId: file.ownerId, label: file.filename },
            details: {
              size: file.size,
              sha256: file.sha256,
              uploadedBy: summary.uploadedBy.kind === 'api-key' ? summary.uploadedBy.name : summary.uploadedBy.kind,
            },
          },
        ],
        tx,
      );
      return summary;
    });
    if (!deleted) throw StorageErrors.fileNotFound();
    await this.dropBlobs(id);
    return deleted;
  }

  private async dropBlobs(id: string): Promise<void> {
    await this.blobs
      .deleteFile(id)
      .catch((error: Error) => this.logger.error(`File ${id} deleted but its blobs were not: ${error.message}`));
  }
}
