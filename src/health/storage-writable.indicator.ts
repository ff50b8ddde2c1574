import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { BlobStore } from '../storage';

/** Ready only if the blob store (data dir or S3 bucket) accepts a write. */
@Injectable()
export class StorageWritableIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly blobs: BlobStore,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.blobs.checkWritable();
      return indicator.up();
    } catch {
      return indicator.down({ message: 'storage is not writable' });
    }
  }
}
