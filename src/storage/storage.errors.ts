import { DomainError } from '../common/domain-error';

/**
 * Every way the storage rules refuse a request, in one place (after
 * supabase/storage's ERRORS, with EDS's status codes). Rule code, streams and
 * services throw these; the global filter turns them into the error body.
 */
export const StorageErrors = {
  invalidFileId: () =>
    new DomainError('InvalidFileId', 400, 'The id in the path is not a valid file id (a UUID, as id in the upload answer)'),
  fileNotFound: () => new DomainError('FileNotFound', 404, 'File not found'),
  sizeOverLimit: (limit: number) =>
    new DomainError('SizeOverLimit', 413, `size exceeds the maximum upload size of ${limit} bytes`),
  lengthOverSize: (length: number, size: number) =>
    new DomainError('ContentLengthOverSize', 413, `Content-Length ${length} is over the declared size of ${size} bytes`),
  lengthNotSize: (length: number, size: number) =>
    new DomainError('ContentLengthNotSize', 400, `Content-Length ${length} is not the declared size of ${size} bytes`),
  bodyTooLong: (size: number) =>
    new DomainError('BodyTooLong', 413, `The body is longer than the declared size of ${size} bytes`),
  bodyTooShort: (received: number, size: number) =>
    new DomainError('BodyTooShort', 400, `The body has ${received} bytes but the upload declared ${size}; nothing was stored`),
  checksumMismatch: (digest: string) =>
    new DomainError('ChecksumMismatch', 400, `The body's SHA-256 is ${digest}, not the declared sha256; nothing was stored`),
  uploadInterrupted: () =>
    new DomainError('UploadInterrupted', 400, 'The upload was interrupted before the whole body arrived; nothing was stored'),
  alreadyUploaded: () =>
    new DomainError('AlreadyUploaded', 409, 'The file already has its content; uploads are write-once'),
  uploadExpired: () =>
    new DomainError('UploadExpired', 410, 'The upload expired; start a new one with POST /api/v1/storage/upload'),
  uploadedOverTus: () =>
    new DomainError('UploadedOverTus', 409, 'This file is being uploaded over tus: PATCH its upload at /api/v1/storage/uploads/{id}'),
  changedDuringUpload: () => new DomainError('ChangedDuringUpload', 409, 'The file changed while its content was uploaded'),
  noContentYet: () => new DomainError('NoContentYet', 409, 'The file has no content yet: upload it first'),
  rangeNotSatisfiable: (size: number) =>
    new DomainError('RangeNotSatisfiable', 416, `The requested range is not within the file's ${size} bytes`, {
      'content-range': `bytes */${size}`,
    }),
  invalidFilename: () =>
    new DomainError('InvalidFilename', 400, 'The file name must be 1 to 255 characters long, with no control characters'),
  storageFull: () =>
    new DomainError('StorageFull', 507, 'The storage is full; nothing was stored. Try again later', { 'retry-after': '60' }),
  malformedCursor: () => new DomainError('MalformedCursor', 400, 'cursor is malformed; use nextCursor from a previous page'),
} as const;

/** errno codes meaning the disk (or the user's quota on it) has no room. */
const FULL_ERRNO = new Set(['ENOSPC', 'EDQUOT']);
/**
 * What S3 and S3-compatible stores answer when they cannot take more bytes:
 * MinIO's drive-full and bucket-quota codes, Ceph RGW's and others' quota,
 * a 507 from any store, and EntityTooLarge (the store's own object limit is
 * below EDS_MAX_UPLOAD_BYTES: the client's size was within ours, so it is the
 * store that cannot take it).
 */
const FULL_S3_NAMES = new Set([
  'XMinioStorageFull',
  'XMinioAdminBucketQuotaExceeded',
  'QuotaExceeded',
  'InsufficientStorage',
  'StorageFull',
  'EntityTooLarge',
]);

/** Whether `error` (from fs or the S3 SDK) means the blob store has no room for the write. */
export function isStorageFull(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: number } } | null;
  if (!e || typeof e !== 'object') return false;
  if (typeof e.code === 'string' && FULL_ERRNO.has(e.code)) return true;
  if (typeof e.name === 'string' && FULL_S3_NAMES.has(e.name)) return true;
  if (typeof e.Code === 'string' && FULL_S3_NAMES.has(e.Code)) return true;
  return e.$metadata?.httpStatusCode === 507;
}
