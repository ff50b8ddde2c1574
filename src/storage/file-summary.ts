import type { StoredFile, StoredFileStatus } from './stored-file.entity';

/**
 * What created a file: an API key (named as it was then), the dashboard, or
 * nothing known (files stored before attribution existed).
 */
export type FileUploader =
  | { readonly kind: 'api-key'; readonly keyId: string; readonly name: string }
  | { readonly kind: 'dashboard' }
  | { readonly kind: 'unknown' };

export const DASHBOARD_UPLOADER: FileUploader = Object.freeze({ kind: 'dashboard' });

/** The API key a request came with, as the uploader of what it stores (its name is kept as text). */
export const apiKeyUploader = (key: { keyId: string; name: string }): FileUploader => ({ kind: 'api-key', keyId: key.keyId, name: key.name });
const UNKNOWN_UPLOADER: FileUploader = Object.freeze({ kind: 'unknown' });

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
  uploadedBy: FileUploader;
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
    uploadedBy: uploaderOf(file),
  };
}

function uploaderOf(file: StoredFile): FileUploader {
  if (file.uploadSource === 'api_key' && file.uploadedByKeyId && file.uploadedByKeyName !== null) {
    return { kind: 'api-key', keyId: file.uploadedByKeyId, name: file.uploadedByKeyName };
  }
  return file.uploadSource === 'dashboard' ? DASHBOARD_UPLOADER : UNKNOWN_UPLOADER;
}

/** The entity columns that record an uploader. */
export function uploaderColumns(uploader: FileUploader): Pick<StoredFile, 'uploadSource' | 'uploadedByKeyId' | 'uploadedByKeyName'> {
  switch (uploader.kind) {
    case 'api-key':
      return { uploadSource: 'api_key', uploadedByKeyId: uploader.keyId, uploadedByKeyName: uploader.name };
    case 'dashboard':
      return { uploadSource: 'dashboard', uploadedByKeyId: null, uploadedByKeyName: null };
    case 'unknown':
      return { uploadSource: null, uploadedByKeyId: null, uploadedByKeyName: null };
  }
}
