import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHash, randomUUID } from 'node:crypto';
import { storageConfig } from '../../config';
import { Clock } from '../../common/clock';
import { BlobStore, blobKeyFor } from '../blob/blob-store';
import type { FileUploader } from '../file-summary';
import { StorageUrls } from '../storage-urls';
import type { TusFileMetadata } from './tus-protocol';
import type { TusUpload } from './tus-upload.entity';
import type { TusAnswer } from './tus-http';
import { pendingFile, TusUploadLifecycleService } from './tus-upload-lifecycle.service';
import { TusUploadRepository } from './tus-upload.repository';
import { TusErrors } from './tus.errors';

/**
 * The tus concatenation extension's final uploads: unlike every other upload
 * they receive no bytes of their own, so they are built whole, from the
 * driver's copies of finished partials, in one creation request.
 */
@Injectable()
export class TusConcatenationService {
  constructor(
    private readonly uploads: TusUploadRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    private readonly urls: StorageUrls,
    private readonly lifecycle: TusUploadLifecycleService,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  /** `Upload-Concat: final;…`: the owner's finished partials, in order, become one ready file. */
  async createFinal(
    ownerId: string,
    uploadedBy: FileUploader,
    ids: string[],
    file: TusFileMetadata,
    metadata: string | null,
    origin: string,
    root: string,
  ): Promise<TusAnswer> {
    const found = await this.uploads.findPartialsForOwner(ownerId, ids);
    const now = this.clock.now().getTime();
    const partials = ids.map((id) => found.find((p) => p.id === id));
    if (partials.some((p) => !p || !p.completed || p.expiresAt.getTime() <= now)) throw TusErrors.partialsNotReady();
    const sources = (partials as TusUpload[]).map((p) => ({ key: p.storeState.key, size: p.length }));
    const length = sources.reduce((sum, s) => sum + s.size, 0);
    if (length > this.config.maxUploadBytes) throw TusErrors.lengthOverLimit(this.config.maxUploadBytes);

    // Partials were stored without a whole-file hash (they are pieces): read once to hash the file.
    const hash = createHash('sha256');
    for (const source of sources) {
      if (source.size > 0) for await (const chunk of await this.blobs.read(source.key)) hash.update(chunk as Buffer);
    }
    const sha256 = hash.digest('hex');
    if (file.sha256 && file.sha256 !== sha256) throw TusErrors.finalHashMismatch(sha256);

    const id = randomUUID();
    const key = blobKeyFor(id, randomUUID());
    const expiresAt = this.lifecycle.expiry();
    const concatHeader = `final;${ids.map((p) => `/${root}/${p}`).join(' ')}`;
    const { upload } = await this.uploads.insertWithFile(
      pendingFile(id, ownerId, file, length, expiresAt, uploadedBy),
      { ownerId, concat: 'final', length, offset: 0, metadata, concatHeader, storeState: { key }, expiresAt },
    );
    try {
      await this.blobs.compose(key, sources);
    } catch (error) {
      await this.lifecycle.remove(ownerId, upload);
      throw error;
    }
    if (!(await this.uploads.markComplete(upload, { sha256, blobKey: key }, this.clock.now()))) {
      throw TusErrors.uploadNotFound();
    }
    // Used up: the partials' rows and bytes go (the final has its own copy or copied parts).
    for (const partial of partials as TusUpload[]) await this.lifecycle.remove(ownerId, partial);
    return { status: 201, headers: { location: this.urls.tusUpload(origin, id, root) } };
  }
}
