import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { utcDayNumber, utcDayString } from '../common/utc-day';
import { keysConfig } from '../config';
import { ApiKeyUsageRepository, type KeyRefusals } from './api-key-usage.repository';

/**
 * Requests refused for their address (a valid key outside its allowed
 * networks), counted in memory and written in bulk on the last-use flush's
 * schedule and at shutdown: a leaked key hammered from elsewhere costs no
 * write per request.
 */
@Injectable()
export class RefusalTracker implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(RefusalTracker.name);
  private pending = new Map<string, KeyRefusals>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly usage: ApiKeyUsageRepository,
    private readonly clock: Clock,
    @Inject(keysConfig.KEY) private readonly config: ConfigType<typeof keysConfig>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.lastUsedFlushMs);
    this.timer.unref();
  }

  refuse(keyId: string, ip: string | undefined): void {
    const at = this.clock.now();
    const day = utcDayString(utcDayNumber(at));
    const slot = `${keyId}|${day}`;
    const entry = this.pending.get(slot);
    const address = (ip ?? 'unknown').slice(0, 64);
    if (entry) {
      entry.count++;
      entry.lastAt = at;
      entry.ip = address;
    } else {
      this.pending.set(slot, { keyId, day, count: 1, lastAt: at, ip: address });
    }
  }

  /** Writes what is pending; refusals that fail to write are kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.usage.recordRefusals([...batch.values()]);
      } catch (error) {
        this.logger.warn(`Could not write refused requests, will retry: ${(error as Error).message}`);
        for (const [slot, r] of batch) {
          const newer = this.pending.get(slot);
          this.pending.set(slot, newer ? { ...newer, count: newer.count + r.count } : r);
        }
      }
    });
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
