import type { FileListDto } from './dto/file-list.dto';
import type { PendingUploadDto, StoredFileDto } from './dto/stored-file.dto';
import type { FilePage, FileSummary, PendingUpload } from './file-summary';

/** The API's wire shapes of storage's domain values (ISO strings for instants). */
export function toFileDto(file: FileSummary): StoredFileDto {
  return {
    id: file.id,
    filename: file.filename,
    mimeType: file.mimeType,
    size: file.size,
    status: file.status,
    sha256: file.sha256,
    createdAt: file.createdAt.toISOString(),
    uploadedAt: file.uploadedAt ? file.uploadedAt.toISOString() : null,
    uploadedBy: file.uploadedBy.kind === 'api-key' ? { keyId: file.uploadedBy.keyId, name: file.uploadedBy.name } : null,
  };
}

export function toPendingUploadDto(upload: PendingUpload): PendingUploadDto {
  return {
    ...toFileDto(upload.file),
    uploadUrl: upload.uploadUrl,
    uploadMethod: 'PUT',
    expiresAt: upload.expiresAt.toISOString(),
  };
}

export function toFileListDto(page: FilePage): FileListDto {
  return { items: page.items.map(toFileDto), nextCursor: page.nextCursor };
}
