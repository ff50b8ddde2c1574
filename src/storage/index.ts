/**
 * What the storage feature offers the rest of EDS. Anything not named here is
 * the feature's own.
 */
export { StorageModule } from './storage.module';
/** Reads and deletions of files in an OwnerScope, answering domain summaries. */
export { StorageService, DEFAULT_PAGE_SIZE, type FileListQuery, type NewUpload } from './storage.service';
/** Downloads (with the API's headers) and uploads of file bytes (receiveWhole: a stream of unknown length). */
export { FileContentService, type ContentRequest, type ContentResponse } from './file-content.service';
/** Writes a ContentResponse (status, the API's download headers, the bytes) to a Fastify reply. */
export { sendContent } from './content-reply';
export type { FilePage, FileSummary, FileUploader, PendingUpload, StorageUsage } from './file-summary';
export { DASHBOARD_UPLOADER } from './file-summary';
/** The blob store, for the readiness probe. */
export { BlobStore } from './blob/blob-store';
/** Blobs without rows and rows without blobs, for /health. */
export { BlobReconciler } from './blob-reconciler';
export { StorageErrors } from './storage.errors';
/** The tus protocol over EDS's files, for another tus endpoint (the dashboard's); the API's is this module's own. */
export { TusUploadService } from './tus/tus-upload.service';
export { registerTusHttp, sendTusAnswer, type TusAnswer, type TusHeaders } from './tus/tus-http';
export { TUS_UPLOADS_ROOT } from './storage-urls';
/** Boot check: the configured S3 bucket exists and takes writes. */
export { assertS3BucketWritable } from './blob/blob-store.provider';
