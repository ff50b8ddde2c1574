import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { storageConfig } from '../config';
import { BlobStore } from './blob/blob-store';
import { Clock } from '../common/clock';
import type { CreateUploadDto } from './dto/create-upload.dto';
import type { FileListDto } from './dto/file-list.dto';
import type { ListFilesQueryDto } from './dto/list-files-query.dto';
import type { StorageUsageDto } from './dto/storage-usage.dto';
import type { PendingUploadDto, StoredFileDto } from './dto/stored-file.dto';
import { decodeCursor, encodeCursor } from './file-cursor';
import { toFileDto } from './stored-file.mapper';
import { StoredFileRepository } from './stored-file.repository';
import { StorageUrls } from './storage-urls';
import { StorageErrors } from './storage.errors';

export const DEFAULT_PAGE_SIZE = 20;

/** File metadata: registering uploads, listing, usage, deletion. The bytes are FileContentService's. */
@Injectable()
export class StorageService {
  private readonly logger = new Logger(StorageService.name);

  constructor(
    private readonly files: StoredFileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
    private readonly urls: StorageUrls,
  ) {}

  /** Registers a pending upload; the bytes follow with a PUT to `uploadUrl`. */
  async createUpload(ownerId: string, dto: CreateUploadDto, requestOrigin: string): Promise<PendingUploadDto> {
    if (dto.size > this.config.maxUploadBytes) {
      throw StorageErrors.sizeOverLimit(this.config.maxUploadBytes);
    }
    const file = await this.files.insertPending({
      ownerId,
      filename: dto.filename,
      mimeType: dto.mimeType,
      size: dto.size,
      expectedSha256: dto.sha256?.toLowerCase() ?? null,
      expiresAt: new Date(this.clock.now().getTime() + this.config.pendingUploadTtlSeconds * 1000),
    });
    return {
      ...toFileDto(file),
      uploadUrl: this.urls.fileContent(requestOrigin, file.id),
      uploadMethod: 'PUT',
      expiresAt: file.expiresAt!.toISOString(),
    };
  }

  async get(ownerId: string, id: string): Promise<StoredFileDto> {
    const file = await this.files.findForOwner(ownerId, id);
    if (!file) throw StorageErrors.fileNotFound();
    return toFileDto(file);
  }

  async list(ownerId: string, query: ListFilesQueryDto): Promise<FileListDto> {
    const page = await this.files.pageForOwner(ownerId, {
      limit: query.limit ?? DEFAULT_PAGE_SIZE,
      after: query.cursor === undefined ? null : decodeCursor(query.cursor),
      includePending: query.status === 'all',
    });
    return { items: page.files.map(toFileDto), nextCursor: page.next ? encodeCursor(page.next) : null };
  }

  usage(ownerId: string): Promise<StorageUsageDto> {
    return this.files.usageForOwner(ownerId);
  }

  /**
   * The row goes first (in its own statement), then every blob of the file.
   * A crash in between leaves unreferenced bytes, never a listed file
   * without them; an upload still streaming in finds no row and drops its own blob.
   */
  async delete(ownerId: string, id: string): Promise<void> {
    if (!(await this.files.deleteForOwner(ownerId, id))) throw StorageErrors.fileNotFound();
    await this.blobs
      .deleteFile(id)
      .catch((error: Error) => this.logger.error(`File ${id} deleted but its blobs were not: ${error.message}`));
  }
}
