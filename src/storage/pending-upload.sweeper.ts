import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { BlobStore } from './blob/blob-store';
import { Clock } from '../common/clock';
import { StoredFileRepository } from './stored-file.repository';
import { TusUploadRepository } from './tus/tus-upload.repository';

/** How often each instance looks for expired uploads; the TTL is hours, so minutes are precise enough. */
export const SWEEP_INTERVAL_MS = 5 * 60_000;
const BATCH = 100;

/**
 * Removes pending uploads whose time ran out, and their partial blobs. Runs
 * as a scheduled job in every instance (rows are claimed with SKIP LOCKED, so
 * instances never fight) and can be called directly.
 */
@Injectable()
export class PendingUploadSweeper implements OnModuleDestroy {
  private readonly logger = new Logger(PendingUploadSweeper.name);
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly files: StoredFileRepository,
    private readonly tusUploads: TusUploadRepository,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {}

  @Interval('expired-upload-sweep', SWEEP_INTERVAL_MS)
  protected scheduledSweep(): void {
    this.sweep().catch((e: Error) => this.logger.error(`Sweep failed: ${e.message}`));
  }

  /** The schedule stops before shutdown; a sweep still running is let finish. */
  async onModuleDestroy(): Promise<void> {
    await this.last;
  }

  /** Sweeps everything that expired by `now`; answers how many uploads were removed. */
  sweep(now: Date = this.clock.now()): Promise<number> {
    // One sweep at a time per instance: a call during a sweep runs after it.
    const next = this.last.then(() => this.sweepAll(now));
    this.last = next.catch(() => undefined);
    return next;
  }

  private async sweepAll(now: Date): Promise<number> {
    let removed = 0;
    // Pending files (a tus upload's row goes with its file), then tus partials, which have no file.
    for (const claim of [
      (batch: number) => this.files.deleteExpiredPending(now, batch),
      (batch: number) => this.tusUploads.deleteExpiredPartials(now, batch),
    ]) {
      removed += await this.sweepBatches(claim);
    }
    if (removed > 0) this.logger.log(`Removed ${removed} expired pending upload(s)`);
    return removed;
  }

  private async sweepBatches(claim: (batch: number) => Promise<string[]>): Promise<number> {
    let removed = 0;
    for (;;) {
      const ids = await claim(BATCH);
      for (const id of ids) {
        await this.blobs
          .deleteFile(id)
          .catch((error: Error) => this.logger.warn(`Expired upload ${id}: blobs not removed: ${error.message}`));
      }
      removed += ids.length;
      if (ids.length < BATCH) return removed;
    }
  }
}
