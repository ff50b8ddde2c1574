import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { ApiKeysService } from './api-keys.service';

/**
 * How often each instance looks for keys that expired since, to write their
 * "expired" audit entry. Refusing an expired key never waits for this: the
 * check is made on every request against the clock.
 */
export const EXPIRY_SWEEP_INTERVAL_MS = 60_000;

/**
 * Notices expired keys for the audit trail. Runs as a scheduled job in every
 * instance; each key is claimed once (an UPDATE … RETURNING in the same
 * transaction as its entry), so instances never write it twice.
 */
@Injectable()
export class KeyExpirySweeper implements OnModuleDestroy {
  private readonly logger = new Logger(KeyExpirySweeper.name);
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly apiKeys: ApiKeysService) {}

  @Interval('api-key-expiry-sweep', EXPIRY_SWEEP_INTERVAL_MS)
  protected scheduledSweep(): void {
    this.sweep().catch((e: Error) => this.logger.warn(`Key expiry sweep failed: ${e.message}`));
  }

  /** The schedule stops before shutdown; a sweep still running is let finish. */
  async onModuleDestroy(): Promise<void> {
    await this.last;
  }

  /** Records every expiry up to now (the Clock's); answers how many. */
  sweep(): Promise<number> {
    const next = this.last.then(() => this.apiKeys.recordExpiries());
    this.last = next.catch(() => undefined);
    return next.then((n) => {
      if (n > 0) this.logger.log(`Recorded ${n} expired API key(s)`);
      return n;
    });
  }
}
