import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { authConfig } from '../config';
import { ApiKeyRepository } from './api-key.repository';

/**
 * Coalesces last-use stamps in memory and writes them in one statement every
 * `EDS_LAST_USED_FLUSH_MS` (default 5 s, well inside the 10 s promise) and on
 * graceful shutdown, so authenticating never costs a database write.
 */
@Injectable()
export class LastUsedTracker implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(LastUsedTracker.name);
  private pending = new Map<string, Date>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly keys: ApiKeyRepository,
    @Inject(authConfig.KEY) private readonly config: ConfigType<typeof authConfig>,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.lastUsedFlushMs);
    this.timer.unref();
  }

  touch(keyId: string, at: Date = new Date()): void {
    this.pending.set(keyId, at);
  }

  /** Writes what has accumulated; failed batches are merged back for the next try. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.keys.stampLastUsed(batch);
      } catch (error) {
        for (const [id, at] of batch) {
          const newer = this.pending.get(id);
          if (!newer || newer < at) this.pending.set(id, at);
        }
        this.logger.warn(`Could not write last-use stamps, will retry: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
