import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, randomUUID } from 'node:crypto';
import { storageConfig } from '../../config';
import { Clock } from '../../common/clock';
import type { RawBodyStream } from '../../common/raw-body';
import { BlobStore, blobKeyFor } from '../blob/blob-store';
import { type FileUploader, uploaderColumns } from '../file-summary';
import { StorageUrls, TUS_UPLOADS_ROOT } from '../storage-urls';
import { TusConcatenationService } from './tus-concatenation.service';
import { appendBody, HeldHashes, wholeHashAt, type WholeHash, WholeUploadMeter } from './tus-append';
import { meterUpload } from '../upload-meter';
import { isDomainError } from '../../common/domain-error';
import {
  assertTusResumable,
  discoveryHeaders,
  fileMetadata,
  httpDate,
  mediaType,
  OFFSET_OCTET_STREAM,
  parseByteCount,
  parseChecksum,
  parseConcat,
  parseMetadata,
  type TusFileMetadata,
  type UploadChecksum,
} from './tus-protocol';
import type { TusUpload } from './tus-upload.entity';
import { pendingFile, TusUploadLifecycleService } from './tus-upload-lifecycle.service';
import { TusUploadRepository } from './tus-upload.repository';
import { TusErrors } from './tus.errors';
import type { TusAnswer, TusHeaders } from './tus-http';

/** An upload this request holds the lease of, with what its append needs. */
interface Claimed {
  upload: TusUpload;
  takeover: boolean;
  token: string;
  checksum: UploadChecksum | null;
}

/**
 * The tus 1.0.0 rules over EDS's files and blob drivers: creation (plain,
 * partial, final), HEAD, PATCH, termination. The offset in PostgreSQL is
 * raised only after the driver made the bytes durable, by the request holding
 * the upload's lease; the last byte makes the file ready as a PUT does.
 */
@Injectable()
export class TusUploadService {
  private readonly logger = new Logger(TusUploadService.name);

  constructor(
    private readonly uploads: TusUploadRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly urls: StorageUrls,
    private readonly hashes: HeldHashes,
    private readonly lifecycle: TusUploadLifecycleService,
    private readonly concatenation: TusConcatenationService,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  options(): TusAnswer {
    return { status: 204, headers: discoveryHeaders(this.config.maxUploadBytes) };
  }

  /**
   * `root` is the endpoint the client speaks to (the API's by default; the
   * dashboard has its own): `Location` and a final's partial URLs live under it.
   */
  async create(
    ownerId: string,
    uploadedBy: FileUploader,
    h: TusHeaders,
    body: RawBodyStream,
    origin: string,
    root: string = TUS_UPLOADS_ROOT,
  ): Promise<TusAnswer> {
    assertTusResumable(h['tus-resumable']);
    const concat = parseConcat(h['upload-concat'], `/${root}`);
    const metadata = parseMetadata(h['upload-metadata']);
    if (h['upload-defer-length'] !== undefined) throw TusErrors.lengthRequired();
    if (concat.kind === 'final') {
      if (h['upload-length'] !== undefined) throw TusErrors.lengthOnFinal();
      return this.concatenation.createFinal(ownerId, uploadedBy, concat.ids, fileMetadata(metadata), h['upload-metadata'] ?? null, origin, root);
    }
    const length = parseByteCount(h['upload-length'], 'Upload-Length');
    if (length === null) throw TusErrors.lengthRequired();
    if (length > this.config.maxUploadBytes) throw TusErrors.lengthOverLimit(this.config.maxUploadBytes);
    const file = concat.kind === 'partial' ? null : fileMetadata(metadata);
    const withBody = body.declaredLength !== 0 && (body.declaredLength !== null || body.contentType !== null);
    if (withBody && mediaType(body.contentType) !== OFFSET_OCTET_STREAM) throw TusErrors.unsupportedMediaType();

    if (file && withBody && body.declaredLength === length) {
      return this.createWhole(ownerId, uploadedBy, file, h, body, length, origin, root);
    }

    const id = randomUUID();
    const key = blobKeyFor(id, randomUUID());
    const expiresAt = this.lifecycle.expiry();
    const storeState = length === 0 ? { key } : await this.blobs.beginResumable(key, length);
    const row = { ownerId, concat: concat.kind, length, offset: 0, metadata: h['upload-metadata'] ?? null, storeState, expiresAt };
    let upload: TusUpload;
    if (file) {
      ({ upload } = await this.uploads.insertWithFile(pendingFile(id, ownerId, file, length, expiresAt, uploadedBy), row));
    } else {
      upload = await this.uploads.insertPartial({ ...row, id });
    }
    const headers: Record<string, string> = { location: this.urls.tusUpload(origin, id, root), 'upload-expires': httpDate(expiresAt) };
    if (length === 0) {
      // Nothing to PATCH: the empty file is ready at once (tus-js-client sends no PATCH).
      await this.lifecycle.finish(ownerId, upload, { digest: () => createHash('sha256').digest('hex') });
    } else if (withBody) {
      headers['upload-offset'] = String(await this.append(ownerId, upload, 0, body, h));
    }
    return { status: 201, headers };
  }

  /**
   * creation-with-upload of the whole file (Content-Length is Upload-Length:
   * the usual way a small file comes). Stored as a PUT stores: the bytes
   * first, under a fresh key, hashed by Node as they stream; then one INSERT
   * makes the file ready with its completed upload. Nothing is recorded
   * before the last byte is durable, so a refused or dropped body leaves
   * nothing behind (a client that got no Location starts over anyway).
   */
  private async createWhole(
    ownerId: string,
    uploadedBy: FileUploader,
    file: TusFileMetadata,
    h: TusHeaders,
    body: RawBodyStream,
    length: number,
    origin: string,
    root: string,
  ): Promise<TusAnswer> {
    const meter = new WholeUploadMeter(length, file.sha256, parseChecksum(h['upload-checksum']));
    const id = randomUUID();
    const key = blobKeyFor(id, randomUUID());
    try {
      await this.blobs.write(key, meterUpload(body.stream, meter));
      await this.uploads.insertCompleted(
        { id, ownerId, filename: file.filename, mimeType: file.mimeType, size: length, expectedSha256: file.sha256, sha256: meter.sha256, blobKey: key, uploadedAt: this.clock.now(), ...uploaderColumns(uploadedBy) },
        { metadata: h['upload-metadata'] ?? null, expiresAt: this.lifecycle.expiry() },
      );
    } catch (error) {
      // The file's directory or staging too, not only the blob.
      await this.blobs.deleteFile(id).catch((e: Error) => this.logger.warn(`Could not remove the bytes of refused upload ${id}: ${e.message}`));
      throw isDomainError(error, 'StorageFull') ? TusErrors.storageFull() : error;
    }
    return { status: 201, headers: { location: this.urls.tusUpload(origin, id, root), 'upload-offset': String(length) } };
  }

  async head(ownerId: string, id: string, h: TusHeaders): Promise<TusAnswer> {
    assertTusResumable(h['tus-resumable']);
    let upload = await this.lifecycle.find(ownerId, id);
    if (!upload.completed && upload.offset === upload.length) {
      // Every byte is durable but a crash came before the file was made ready: finish it now.
      await this.lifecycle.recover(ownerId, upload);
      upload = await this.lifecycle.find(ownerId, id);
    }
    this.lifecycle.assertLive(upload);
    const headers: Record<string, string> = {
      'upload-offset': String(upload.offset),
      'upload-length': String(upload.length),
      'cache-control': 'no-store',
    };
    if (upload.metadata) headers['upload-metadata'] = upload.metadata;
    if (upload.concat === 'partial') headers['upload-concat'] = 'partial';
    if (upload.concatHeader) headers['upload-concat'] = upload.concatHeader;
    if (!upload.completed) headers['upload-expires'] = httpDate(upload.expiresAt);
    return { status: 200, headers };
  }

  async patch(ownerId: string, id: string, h: TusHeaders, body: RawBodyStream): Promise<TusAnswer> {
    assertTusResumable(h['tus-resumable']);
    const claimed = await this.claimAtOnce(ownerId, id, h, body);
    if (claimed) {
      const newOffset = await this.appendClaimed(ownerId, claimed, body);
      return { status: 204, headers: { 'upload-offset': String(newOffset), 'upload-expires': httpDate(claimed.upload.expiresAt) } };
    }
    const upload = await this.lifecycle.find(ownerId, id);
    if (upload.concat === 'final') throw TusErrors.finalNotPatchable();
    this.lifecycle.assertLive(upload);
    if (mediaType(body.contentType) !== OFFSET_OCTET_STREAM) throw TusErrors.unsupportedMediaType();
    const offset = parseByteCount(h['upload-offset'], 'Upload-Offset');
    if (offset === null) throw TusErrors.offsetRequired();
    parseChecksum(h['upload-checksum']);
    if (upload.completed) throw offset === upload.length ? TusErrors.alreadyComplete() : TusErrors.offsetMismatch(upload.offset);
    if (offset !== upload.offset) throw TusErrors.offsetMismatch(upload.offset);
    const newOffset = await this.append(ownerId, upload, offset, body, h);
    return { status: 204, headers: { 'upload-offset': String(newOffset), 'upload-expires': httpDate(upload.expiresAt) } };
  }

  /** Termination: the upload and every byte of it go (a plain or final upload's file too). */
  async terminate(ownerId: string, id: string, h: TusHeaders): Promise<TusAnswer> {
    assertTusResumable(h['tus-resumable']);
    const upload = await this.lifecycle.find(ownerId, id);
    await this.lifecycle.remove(ownerId, upload);
    return { status: 204, headers: {} };
  }

  /**
   * The usual PATCH, claimed in its first statement instead of read and then
   * claimed: when its headers are in order, the claim is taken only on an
   * upload such a PATCH may append to. Null when the headers are not in
   * order or the claim was refused: the caller reads the upload and answers
   * as it would have (404, 403, 410, 409…), with nothing changed.
   */
  private async claimAtOnce(
    ownerId: string,
    id: string,
    h: TusHeaders,
    body: RawBodyStream,
  ): Promise<Claimed | null> {
    if (mediaType(body.contentType) !== OFFSET_OCTET_STREAM) return null;
    let offset: number | null;
    let checksum: UploadChecksum | null;
    try {
      offset = parseByteCount(h['upload-offset'], 'Upload-Offset');
      checksum = parseChecksum(h['upload-checksum']);
    } catch {
      return null;
    }
    if (offset === null) return null;
    const token = randomUUID();
    const claim = await this.uploads.claimOpen(ownerId, id, offset, token, this.clock.now());
    if (!claim) return null;
    const remaining = claim.upload.length - offset;
    if (body.declaredLength !== null && body.declaredLength > remaining) {
      await this.uploads.release(id, token);
      throw TusErrors.bodyOverLength(remaining);
    }
    return { ...claim, token, checksum };
  }

  /** Claims the lease at `offset`, streams the body in, records it; answers the new durable offset. */
  private async append(ownerId: string, upload: TusUpload, offset: number, body: RawBodyStream, h: TusHeaders): Promise<number> {
    const checksum = parseChecksum(h['upload-checksum']);
    if (body.declaredLength !== null && body.declaredLength > upload.length - offset) {
      throw TusErrors.bodyOverLength(upload.length - offset);
    }
    const token = randomUUID();
    const claim = await this.uploads.claim(ownerId, upload.id, offset, token);
    if (claim.kind === 'missing') throw TusErrors.uploadNotFound();
    if (claim.kind === 'busy') throw TusErrors.busy();
    if (claim.kind === 'offset') throw TusErrors.offsetMismatch(claim.upload.offset);
    return this.appendClaimed(ownerId, { upload: claim.upload, takeover: claim.takeover, token, checksum }, body);
  }

  /** Streams the body into an upload this request holds the lease of, records it; answers the new durable offset. */
  private async appendClaimed(ownerId: string, { upload: claimed, takeover, token, checksum }: Claimed, body: RawBodyStream): Promise<number> {
    let outcome;
    let hash: WholeHash | null = null;
    try {
      hash = claimed.concat === 'partial' ? null : await wholeHashAt(this.blobs, claimed, this.hashes);
      outcome = await appendBody(this.blobs, {
        upload: claimed,
        takeover,
        body: body.stream,
        checksum,
        hash,
        renew: () => this.uploads.renew(claimed.id, token),
      });
    } catch (error) {
      await this.uploads.release(claimed.id, token);
      throw error;
    }
    if (outcome.kind === 'nothing') {
      await this.uploads.release(claimed.id, token);
      return claimed.offset;
    }
    const newOffset = claimed.offset + outcome.received;
    const recorded = await this.uploads.commitAppend(claimed.id, token, claimed.offset, {
      offset: newOffset,
      storeState: outcome.storeState,
      // A native hash stays in this process; a saved one is recorded with its offset.
      savedHash: hash?.kind === 'saved' ? { state: Buffer.from(hash.hasher.save()), offset: newOffset } : null,
    });
    if (!recorded) throw TusErrors.busy();
    if (newOffset === claimed.length) {
      this.hashes.drop(claimed.id);
      await this.lifecycle.finish(ownerId, { ...claimed, offset: newOffset, storeState: outcome.storeState }, hash);
    } else if (hash?.kind === 'native') {
      this.hashes.keep(claimed.id, newOffset, hash.hash);
    }
    return newOffset;
  }
}
