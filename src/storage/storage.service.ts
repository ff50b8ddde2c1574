import { Inject, Injectable, PayloadTooLargeException } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { appConfig, storageConfig } from '../config';
import type { CreateUploadDto } from './dto/create-upload.dto';
import type { PendingUploadDto, StoredFileDto } from './dto/stored-file.dto';
import type { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';

@Injectable()
export class StorageService {
  constructor(
    private readonly files: StoredFileRepository,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  /** Registers a pending upload; the bytes follow with a PUT to `uploadUrl`. */
  async createUpload(ownerId: string, dto: CreateUploadDto, requestOrigin: string): Promise<PendingUploadDto> {
    if (dto.size > this.config.maxUploadBytes) {
      throw new PayloadTooLargeException(
        `size exceeds the maximum upload size of ${this.config.maxUploadBytes} bytes`,
      );
    }
    const file = await this.files.insertPending({
      ownerId,
      filename: dto.filename,
      mimeType: dto.mimeType,
      size: dto.size,
      expectedSha256: dto.sha256?.toLowerCase() ?? null,
      expiresAt: new Date(Date.now() + this.config.pendingUploadTtlSeconds * 1000),
    });
    return {
      ...toFileDto(file),
      uploadUrl: `${this.app.publicUrl ?? requestOrigin}/api/v1/storage/files/${file.id}/content`,
      uploadMethod: 'PUT',
      expiresAt: file.expiresAt!.toISOString(),
    };
  }
}

export function toFileDto(file: StoredFile): StoredFileDto {
  return {
    id: file.id,
    filename: file.filename,
    mimeType: file.mimeType,
    size: file.size,
    status: file.status,
    sha256: file.sha256,
    createdAt: file.createdAt.toISOString(),
    uploadedAt: file.uploadedAt ? file.uploadedAt.toISOString() : null,
  };
}
