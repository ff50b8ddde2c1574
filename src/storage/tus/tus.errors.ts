import { DomainError } from '../../common/domain-error';

/**
 * Every way the tus layer refuses a request, with the statuses tus 1.0.0
 * gives them (412 version, 409 offset, 415 type, 460 checksum, 403 patching
 * a final). Never 423 or 409 for a wrong whole-file sha256: clients retry those.
 */
export const TusErrors = {
  versionUnsupported: () =>
    new DomainError('TusVersionUnsupported', 412, 'Send Tus-Resumable: 1.0.0; this server speaks tus 1.0.0', {
      'tus-version': '1.0.0',
    }),
  uploadNotFound: () => new DomainError('TusUploadNotFound', 404, 'Upload not found'),
  invalidUploadId: () => new DomainError('TusInvalidUploadId', 400, 'The address does not name an upload: not a valid upload id'),
  uploadExpired: () => new DomainError('TusUploadExpired', 410, 'The upload expired; create a new one'),
  invalidByteCount: (name: string) =>
    new DomainError('TusInvalidByteCount', 400, `${name} must be a non-negative integer`),
  lengthRequired: () =>
    new DomainError('TusLengthRequired', 400, 'Upload-Length is required (Upload-Defer-Length is not supported)'),
  lengthOnFinal: () =>
    new DomainError('TusLengthOnFinal', 400, 'A final upload takes no Upload-Length: it is the sum of its partials'),
  lengthOverLimit: (limit: number) =>
    new DomainError('TusLengthOverLimit', 413, `Upload-Length exceeds the maximum upload size of ${limit} bytes`),
  invalidMetadata: (reason: string) => new DomainError('TusInvalidMetadata', 400, `Upload-Metadata is invalid: ${reason}`),
  invalidConcat: (reason: string) => new DomainError('TusInvalidConcat', 400, `Upload-Concat is invalid: ${reason}`),
  partialsNotReady: () =>
    new DomainError(
      'TusPartialsNotReady',
      400,
      'Upload-Concat names an upload that is unknown, not a partial upload, not finished, or expired',
    ),
  offsetRequired: () => new DomainError('TusOffsetRequired', 400, 'Upload-Offset is required'),
  offsetMismatch: (current: number) =>
    new DomainError('TusOffsetMismatch', 409, `Upload-Offset does not match the upload's offset ${current}; HEAD it and resume from there`),
  busy: () =>
    new DomainError('TusUploadBusy', 409, 'Another request is writing to this upload; HEAD it and resume from its offset'),
  unsupportedMediaType: () =>
    new DomainError('TusUnsupportedMediaType', 415, 'Send the bytes as Content-Type: application/offset+octet-stream'),
  bodyOverLength: (remaining: number) =>
    new DomainError('TusBodyOverLength', 413, `The body is longer than the ${remaining} bytes left in the upload`),
  invalidChecksumHeader: () =>
    new DomainError('TusInvalidChecksumHeader', 400, 'Upload-Checksum must be "<algorithm> <Base64 digest>"'),
  unsupportedChecksum: (algorithm: string) =>
    new DomainError('TusUnsupportedChecksum', 400, `Checksum algorithm ${algorithm} is not supported; use sha1 or sha256`),
  checksumMismatch: () =>
    new DomainError('TusChecksumMismatch', 460, 'The body does not match Upload-Checksum; nothing was stored, the offset is unchanged'),
  finalNotPatchable: () =>
    new DomainError('TusFinalNotPatchable', 403, 'A final upload is assembled from its partials and takes no PATCH'),
  alreadyComplete: () => new DomainError('TusAlreadyComplete', 409, 'The upload is complete'),
  storageFull: () =>
    new DomainError('TusStorageFull', 507, 'The storage is full; the bytes of this request were not kept'),
  fileHashMismatch: (digest: string) =>
    new DomainError(
      'TusFileHashMismatch',
      400,
      `The whole file's SHA-256 is ${digest}, not the declared sha256; the upload was removed, start a new one`,
    ),
  finalHashMismatch: (digest: string) =>
    new DomainError(
      'TusFileHashMismatch',
      400,
      `The joined partials' SHA-256 is ${digest}, not the declared sha256; nothing was created, the partials are kept`,
    ),
} as const;
