import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { KeyLifecycleService } from './key-lifecycle.service';

/**
 * How often each instance looks for keys that expired since, to write their
 * "expired" audit entry. Refusing an expired key never waits for this: the
 * check is made on every request against the clock.
 */
export const EXPIRY_SWEEP_INTERVAL_MS = 60_000;

/**
 * Notices expired keys for the audit trail. Runs on a timer in every
 * instance; each key is claimed once (an UPDATE … RETURNING in the same
 * transaction as its entry), so instances never write it twice.
 */
@Injectable()
export class KeyExpirySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(KeyExpirySweeper.name);
  private timer: NodeJS.Timeout | null = null;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly lifecycle: KeyLifecycleService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((e: Error) => this.logger.warn(`Key expiry sweep failed: ${e.message}`)),
      EXPIRY_SWEEP_INTERVAL_MS,
    );
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.last;
  }

  /** Records every expiry up to now (the Clock's); answers how many. */
  sweep(): Promise<number> {
    const next = this.last.then(() => this.lifecycle.recordExpiries());
    this.last = next.catch(() => undefined);
    return next.then((n) => {
      if (n > 0) this.logger.log(`Recorded ${n} expired API key(s)`);
      return n;
    });
  }
}
