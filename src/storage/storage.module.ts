import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
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

@Module({
  imports: [TypeOrmModule.forFeature([StoredFile]), ApiKeysModule, ClockModule],
  controllers: [StorageController],
  providers: [
    StoredFileRepository,
    StorageService,
    FileContentService,
    PendingUploadSweeper,
    BlobReconciler,
    StorageUrls,
    blobStoreProvider,
  ],
  // BlobStore for the readiness check (it can probe S3 as well as the disk); the reconciler's report for /health.
  exports: [BlobStore, BlobReconciler],
})
export class StorageModule {}
