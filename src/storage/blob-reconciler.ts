import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Interval } from '@nestjs/schedule';
import { Clock } from '../common/clock';
import { storageConfig } from '../config';
import { BlobStore, type StoredBlob } from './blob/blob-store';
import { StoredFileRepository } from './stored-file.repository';

/** How often each instance reconciles; the job lists the whole store, so hourly. */
export const RECONCILE_INTERVAL_MS = 60 * 60_000;
const BATCH = 500;

export interface ReconcileReport {
  finishedAt: Date;
  blobsListed: number;
  /** Blobs no row names, old enough, removed. */
  orphansRemoved: number;
  /** Blobs no row names, younger than the safety age: left for a later run. */
  orphansTooYoung: number;
  /** Ready files whose blob is gone: their bytes are lost. */
  missing: Array<{ id: string; blobKey: string; size: number }>;
  missingBytes: number;
}

/**
 * Finds what the store and the database disagree on (DESIGN.md §10): blobs
 * no row names (a crash between the blob landing and the commit, a delete
 * whose blob removal failed) are removed once older than the safety age, so
 * an upload committing right now is never touched; ready files whose blob is
 * missing are reported (log and /health). A blob a row names is never
 * removed: the check is made again, per blob, just before removing it.
 */
@Injectable()
export class BlobReconciler implements OnModuleDestroy {
  private readonly logger = new Logger(BlobReconciler.name);
  private last: Promise<unknown> = Promise.resolve();
  private latest: ReconcileReport | null = null;

  constructor(
    private readonly files: StoredFileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
    @Inject(storageConfig.KEY) private readonly config: ConfigType<typeof storageConfig>,
  ) {}

  @Interval('blob-reconcile', RECONCILE_INTERVAL_MS)
  protected scheduled(): void {
    this.run().catch((e: Error) => this.logger.error(`Reconciliation failed: ${e.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    await this.last;
  }

  /** The last finished run's report, if any (for /health). */
  lastReport(): ReconcileReport | null {
    return this.latest;
  }

  /** One run at a time per instance; a call during a run runs after it. */
  run(): Promise<ReconcileReport> {
    const next = this.last.then(() => this.reconcile());
    this.last = next.catch(() => undefined);
    return next;
  }

  private async reconcile(): Promise<ReconcileReport> {
    const cutoff = this.clock.now().getTime() - this.config.orphanMinAgeMs;
    const report: ReconcileReport = { finishedAt: new Date(0), blobsListed: 0, orphansRemoved: 0, orphansTooYoung: 0, missing: [], missingBytes: 0 };
    let page: StoredBlob[] = [];
    const settle = async (): Promise<void> => {
      const inUse = await this.files.blobKeysInUse(page.map((b) => b.key));
      for (const blob of page) {
        if (inUse.has(blob.key)) continue;
        if (blob.modifiedAt.getTime() > cutoff) {
          report.orphansTooYoung += 1;
          continue;
        }
        // Asked again for this one key right before removing it.
        if ((await this.files.blobKeysInUse([blob.key])).size > 0) continue;
        await this.blobs.delete(blob.key);
        report.orphansRemoved += 1;
      }
      page = [];
    };
    for await (const blob of this.blobs.listBlobs()) {
      report.blobsListed += 1;
      page.push(blob);
      if (page.length >= BATCH) await settle();
    }
    await settle();

    for (let after: string | null = null; ; ) {
      const ready = await this.files.readyBlobsAfter(after, BATCH);
      for (const file of ready) {
        if (!(await this.blobs.exists(file.blobKey))) {
          report.missing.push(file);
          report.missingBytes += file.size;
        }
      }
      if (ready.length < BATCH) break;
      after = ready[ready.length - 1].id;
    }

    report.finishedAt = this.clock.now();
    this.latest = report;
    if (report.orphansRemoved > 0) this.logger.log(`Reconciliation removed ${report.orphansRemoved} orphaned blob(s)`);
    if (report.missing.length > 0) {
      this.logger.error(
        `Reconciliation: ${report.missing.length} ready file(s) have no blob (${report.missingBytes} bytes missing): ${report.missing
          .slice(0, 20)
          .map((f) => f.id)
          .join(', ')}${report.missing.length > 20 ? ', …' : ''}`,
      );
    }
    return report;
  }
}
