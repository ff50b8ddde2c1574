import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { storageConfig } from '../config';
import { attachmentDisposition } from './content-disposition';
import { MIME_TYPE_PATTERN } from './dto/create-upload.dto';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { BlobStore, blobKeyFor } from './blob/blob-store';
import { Clock } from '../common/clock';
import { etagMatches, parseRange } from './http-range';
import type { RawBodyStream } from '../common/raw-body';
import type { OwnerScope } from '../managers';
import { type FileSummary, type FileUploader, toFileSummary } from './file-summary';
import type { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';
import { meterUpload, UploadMeter } from './upload-meter';
import { StorageErrors } from './storage.errors';

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Conditional and range request headers of a content GET. */
export interface ContentRequest {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
}

/** What a content GET answers: status, headers and (unless 304) the byte stream. */
export interface ContentResponse {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  body: Readable | null;
}

/** The bytes of stored files: receiving an upload, serving a download. */
@Injectable()
export class FileContentService {
  private readonly logger = new Logger(FileContentService.name);

  constructor(
    private readonly files: StoredFileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  /** The largest file an upload may bring (EDS_MAX_UPLOAD_BYTES), for forms to say. */
  get maxUploadBytes(): number {
    return this.config.maxUploadBytes;
  }

  /**
   * One-shot upload of a stream whose length is not known in advance (a
   * browser form's file part): streamed into a fresh blob while hashed and
   * counted (over the upload limit → 413 and nothing kept), and only once the
   * blob is durable does the file's row appear, ready, in one INSERT. A
   * failure at any point leaves no row and no blob.
   */
  async receiveWhole(
    ownerId: string,
    file: { filename: string; mimeType: string; uploadedBy: FileUploader },
    body: Readable,
  ): Promise<FileSummary> {
    // The API's rules for the metadata: a name it would take; a type it would take, else the neutral one.
    if (file.filename.length < 1 || file.filename.length > 255 || CONTROL_CHARACTER.test(file.filename)) {
      throw StorageErrors.invalidFilename();
    }
    const mimeType = file.mimeType.length <= 255 && MIME_TYPE_PATTERN.test(file.mimeType) ? file.mimeType : 'application/octet-stream';
    const id = randomUUID();
    const key = blobKeyFor(id, randomUUID());
    const meter = UploadMeter.upTo(this.config.maxUploadBytes);
    await this.blobs.write(key, meterUpload(body, meter));
    try {
      const stored = await this.files.insertReady({
        id,
        ownerId,
        filename: file.filename,
        mimeType,
        size: meter.receivedBytes,
        sha256: meter.sha256,
        blobKey: key,
        uploadedAt: this.clock.now(),
        uploadedBy: file.uploadedBy,
      });
      return toFileSummary(stored);
    } catch (error) {
      await this.discard(key);
      throw error;
    }
  }

  /**
   * Streams an upload into a fresh blob while hashing it; the file becomes
   * ready only after the blob is durable, in one UPDATE that also checks the
   * row is still pending and unexpired. Any failure leaves the file pending
   * and no blob behind.
   */
  async receive(ownerId: string, id: string, body: RawBodyStream): Promise<FileSummary> {
    const found = await this.files.findForContent(ownerId, id);
    const file = found?.file ?? null;
    this.assertAwaitingContent(file);
    // A PUT would race the tus upload's own completion; one way in per file.
    if (found!.viaTus) throw StorageErrors.uploadedOverTus();
    if (body.declaredLength !== null && body.declaredLength !== file.size) {
      throw body.declaredLength > file.size
        ? StorageErrors.lengthOverSize(body.declaredLength, file.size)
        : StorageErrors.lengthNotSize(body.declaredLength, file.size);
    }

    const key = blobKeyFor(file.id, randomUUID());
    const meter = new UploadMeter(file.size, file.expectedSha256);
    await this.blobs.write(key, meterUpload(body.stream, meter));

    let ready: StoredFile | null;
    try {
      ready = await this.files.markReady(ownerId, file.id, { sha256: meter.sha256, blobKey: key }, this.clock.now());
    } catch (error) {
      await this.discard(key);
      throw error;
    }
    if (!ready) {
      // Deleted, expired or completed by a racing upload while the bytes streamed in.
      await this.discard(key);
      this.assertAwaitingContent(await this.files.findForOwner(ownerId, id));
      throw StorageErrors.changedDuringUpload();
    }
    return toFileSummary(ready);
  }

  /** Opens a ready file's content in scope, honouring If-None-Match and a single Range. */
  async open(scope: OwnerScope, id: string, request: ContentRequest): Promise<ContentResponse> {
    const file = await this.files.findInScope(scope, id);
    if (!file) throw StorageErrors.fileNotFound();
    if (file.status !== 'ready' || !file.blobKey || !file.sha256) {
      throw StorageErrors.noContentYet();
    }
    const etag = `"${file.sha256}"`;
    const headers: Record<string, string> = {
      etag,
      'cache-control': 'private, no-cache',
      'last-modified': (file.uploadedAt ?? file.createdAt).toUTCString(),
      // The declared type may be text/html or SVG: never sniff it, never run it as our origin.
      'x-content-type-options': 'nosniff',
      'content-security-policy': 'sandbox',
    };
    if (etagMatches(request.ifNoneMatch, etag)) return { status: 304, headers, body: null };

    Object.assign(headers, {
      'content-type': file.mimeType,
      'content-disposition': attachmentDisposition(file.filename),
      'accept-ranges': 'bytes',
    });
    // If-Range: a range of an older version would splice two files together.
    const rangeHeader = request.ifRange === undefined || request.ifRange.trim() === etag ? request.range : undefined;
    const range = parseRange(rangeHeader, file.size);
    if (range.kind === 'unsatisfiable') throw StorageErrors.rangeNotSatisfiable(file.size);
    if (range.kind === 'partial') {
      const { start, end } = range.range;
      headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
      headers['content-length'] = String(end - start + 1);
      return { status: 206, headers, body: await this.blobs.read(file.blobKey, range.range) };
    }
    headers['content-length'] = String(file.size);
    return { status: 200, headers, body: await this.blobs.read(file.blobKey) };
  }

  private assertAwaitingContent(file: StoredFile | null): asserts file is StoredFile {
    if (!file) throw StorageErrors.fileNotFound();
    if (file.status === 'ready') throw StorageErrors.alreadyUploaded();
    if (!file.expiresAt || file.expiresAt.getTime() <= this.clock.now().getTime()) {
      throw StorageErrors.uploadExpired();
    }
  }

  private async discard(key: string): Promise<void> {
    await this.blobs.delete(key).catch((error: Error) => this.logger.warn(`Could not remove blob ${key}: ${error.message}`));
  }
}
