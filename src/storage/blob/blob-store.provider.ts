import type { Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { join } from 'node:path';
import { appConfig, storageConfig } from '../../config';
import { BlobStore } from './blob-store';
import { FsBlobStore } from './fs-blob-store';
import { S3BlobStore } from './s3-blob-store';

/** EDS_STORAGE_DRIVER picks the driver: `fs` (default, under EDS_DATA_DIR/blobs) or `s3`. */
export const blobStoreProvider: Provider = {
  provide: BlobStore,
  inject: [storageConfig.KEY, appConfig.KEY],
  useFactory: (storage: ConfigType<typeof storageConfig>, app: ConfigType<typeof appConfig>): BlobStore =>
    storage.driver === 's3' ? S3BlobStore.fromConfig(storage.s3) : new FsBlobStore(join(app.dataDir, 'blobs')),
};
