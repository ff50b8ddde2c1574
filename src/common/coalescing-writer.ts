import { type BeforeApplicationShutdown, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';

/**
 * Facts gathered in memory on the request path (no write per request) and
 * written in one batch every `intervalMs` and on graceful shutdown. Flushes
 * run one at a time; a batch that fails to write is merged back into what
 * accumulated meanwhile and goes out with the next flush.
 *
 * Its own timer rather than an @Interval job: the period is configuration,
 * and it must stop exactly before the final flush on shutdown.
 */
export abstract class CoalescingWriter<K, V> implements OnModuleInit, BeforeApplicationShutdown, OnModuleDestroy {
  protected pending = new Map<K, V>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly logger: Logger;

  protected constructor(
    private readonly intervalMs: number,
    /** What a failed write names in the log ("key use"). */
    private readonly what: string,
    loggerContext: string,
  ) {
    this.logger = new Logger(loggerContext);
  }

  /** Writes one batch (its own statement or transaction). */
  protected abstract write(batch: Map<K, V>): Promise<void>;

  /** Folds a batch that failed to write into `this.pending`. */
  protected abstract mergeBack(batch: Map<K, V>): void;

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** Writes what has accumulated; a failed batch is kept for the next try. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      try {
        await this.write(batch);
      } catch (error) {
        this.mergeBack(batch);
        this.logger.warn(`Could not write ${this.what}, will retry: ${(error as Error).message}`);
      }
    });
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop();
    await this.flush();
  }

  onModuleDestroy(): void {
    this.stop();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
