import type { StoredFile, StoredFileStatus } from './stored-file.entity';

/**
 * What the storage feature tells other code about a file: domain values
 * (`Date`s, sizes as numbers), never the blob's key or the entity itself.
 * The API maps it to its wire DTO; the dashboard renders it.
 */
export interface FileSummary {
  id: string;
  ownerId: string;
  filename: string;
  mimeType: string;
  size: number;
  status: StoredFileStatus;
  /** SHA-256 of the stored bytes; null until they are. */
  sha256: string | null;
  createdAt: Date;
  uploadedAt: Date | null;
  /** When a pending upload lapses; null once ready. */
  expiresAt: Date | null;
}

/** A registered upload and where its bytes go. */
export interface PendingUpload {
  file: FileSummary;
  uploadUrl: string;
  expiresAt: Date;
}

export interface FilePage {
  items: FileSummary[];
  /** Opaque; pass back for the next page. Null on the last page. */
  nextCursor: string | null;
}

export interface StorageUsage {
  fileCount: number;
  totalBytes: number;
}

export function toFileSummary(file: StoredFile): FileSummary {
  return {
    id: file.id,
    ownerId: file.ownerId,
    filename: file.filename,
    mimeType: file.mimeType,
    size: file.size,
    status: file.status,
    sha256: file.sha256,
    createdAt: file.createdAt,
    uploadedAt: file.uploadedAt,
    expiresAt: file.expiresAt,
  };
}
