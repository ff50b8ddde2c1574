import type { Provider } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { join } from 'node:path';
import { appConfig, ConfigurationError, storageConfig, type StorageConfig } from '../../config';
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

/**
 * Run at start (src/main.ts): an S3 bucket that does not exist or refuses a
 * write stops the process with one line naming the variable, instead of
 * failing every upload later.
 */
export async function assertS3BucketWritable(config: StorageConfig['s3']): Promise<void> {
  try {
    await S3BlobStore.fromConfig(config).checkWritable();
  } catch (error) {
    const reason = (error as { name?: string }).name ?? (error as Error).message;
    throw new ConfigurationError(
      `Invalid configuration: S3_BUCKET ${config.bucket} is not a writable bucket at ${config.endpoint ?? 'the AWS default endpoint'} (${reason})`,
    );
  }
}
