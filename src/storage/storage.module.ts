import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys';
import { AuditModule } from '../audit';
import { BlobReconciler } from './blob-reconciler';
import { BlobStore } from './blob/blob-store';
import { blobStoreProvider } from './blob/blob-store.provider';
import { ClockModule } from '../common/clock';
import { FileContentService } from './file-content.service';
import { PendingUploadSweeper } from './pending-upload.sweeper';
import { StorageController } from './storage.controller';
import { StorageService } from './storage.service';
import { StorageUrls } from './storage-urls';
import { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';
import { TusUploadController } from './tus/tus-upload.controller';
import { TusUpload } from './tus/tus-upload.entity';
import { TusUploadRepository } from './tus/tus-upload.repository';
import { HeldHashes } from './tus/tus-append';
import { TusConcatenationService } from './tus/tus-concatenation.service';
import { TusUploadService } from './tus/tus-upload.service';
import { TusUploadLifecycleService } from './tus/tus-upload-lifecycle.service';

@Module({
  imports: [TypeOrmModule.forFeature([StoredFile, TusUpload]), ApiKeysModule, AuditModule, ClockModule],
  controllers: [StorageController, TusUploadController],
  providers: [
    StoredFileRepository,
    StorageService,
    FileContentService,
    PendingUploadSweeper,
    BlobReconciler,
    StorageUrls,
    blobStoreProvider,
    TusUploadRepository,
    TusUploadService,
    TusUploadLifecycleService,
    TusConcatenationService,
    // Whole-file hashes held between PATCHes: one set per process (tus-append.ts).
    { provide: HeldHashes, useFactory: () => new HeldHashes() },
  ],
  // BlobStore for the readiness check (it can probe S3 as well as the disk) and the reconciler's
  // report for /health; the services for the dashboard's file pages. See index.ts.
  exports: [BlobStore, BlobReconciler, StorageService, FileContentService, TusUploadService],
})
export class StorageModule {}
