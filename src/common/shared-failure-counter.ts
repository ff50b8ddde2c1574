import { Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { DataSource } from 'typeorm';

export interface SharedWindow {
  failures: number;
  /** Epoch milliseconds. */
  resetAt: number;
}

/**
 * Failure counters in PostgreSQL (the UNLOGGED `failure_counters` table), so
 * every instance counts the same failures: one upsert per failure, which
 * opens a fresh window when the stored one has ended. Failures are rare; a
 * request that succeeds never comes here.
 */
@Injectable()
export class SharedFailureCounter {
  private readonly logger = new Logger(SharedFailureCounter.name);

  constructor(private readonly dataSource: DataSource) {}

  /** Counts one failure of `subject` in `scope`; answers the window as every instance now sees it. */
  async increment(scope: string, subject: string, windowMs: number): Promise<SharedWindow> {
    const rows = (await this.dataSource.query(
      `INSERT INTO failure_counters AS c (scope, subject, failures, window_ends_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (scope, subject) DO UPDATE SET
         failures = CASE WHEN c.window_ends_at <= now() THEN 1 ELSE c.failures + 1 END,
         window_ends_at = CASE WHEN c.window_ends_at <= now() THEN EXCLUDED.window_ends_at ELSE c.window_ends_at END
       RETURNING failures, extract(epoch FROM window_ends_at) * 1000 AS reset_at`,
      [scope, subject.slice(0, 320), windowMs],
    )) as Array<{ failures: number; reset_at: string }>;
    return { failures: Number(rows[0].failures), resetAt: Math.round(Number(rows[0].reset_at)) };
  }

  /** Ended windows are dead weight: dropped every ten minutes (an hour after they ended). */
  @Interval('failure-counter-sweep', 10 * 60_000)
  async sweep(): Promise<void> {
    await this.dataSource
      .query(`DELETE FROM failure_counters WHERE window_ends_at < now() - interval '1 hour'`)
      .catch((error: Error) => this.logger.warn(`Could not sweep failure counters: ${error.message}`));
  }
}
