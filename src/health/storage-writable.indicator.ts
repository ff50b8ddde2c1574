import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { isDomainError } from '../common/domain-error';
import { BlobReconciler, BlobStore } from '../storage';


/** Ready only if the blob store (data dir or S3 bucket) accepts a write. */
@Injectable()
export class StorageWritableIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly blobs: BlobStore,
    private readonly reconciler: BlobReconciler,
  ) {}

  /**
   * Ready files whose bytes are gone, as the last reconciliation found them:
   * reported, not a reason to stop serving the other files.
   */
  private reconciliation(): Record<string, unknown> {
    const report = this.reconciler.lastReport();
    if (!report || report.missing.length === 0) return {};
    return { missingFiles: report.missing.length, missingBytes: report.missingBytes, reconciledAt: report.finishedAt.toISOString() };
  }

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await this.blobs.checkWritable();
      return indicator.up(this.reconciliation());
    } catch (error) {
      // Full is not down: downloads are still served, uploads answer 507 until
      // space returns. Taking every instance out of the load balancer over a
      // shared full disk or bucket would stop the reads too.
      if (isDomainError(error, 'StorageFull')) {
        return indicator.up({ writable: false, full: true, message: 'storage is full: uploads answer 507', ...this.reconciliation() });
      }
      return indicator.down({ message: 'storage is not writable' });
    }
  }
}
