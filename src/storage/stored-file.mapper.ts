import type { StoredFileDto } from './dto/stored-file.dto';
import type { StoredFile } from './stored-file.entity';

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
