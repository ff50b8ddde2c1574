import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { SharedFailureCounter } from './shared-failure-counter';

export class TooManyAttemptsException extends HttpException {
  constructor(
    message: string,
    /** Sent as Retry-After by the global filter. */
    readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}

export interface FailurePolicy {
  /** Failures allowed per window; the next attempt within the window gets 429. */
  limit: number;
  windowMs: number;
  /** What is limited, for the 429 message ("failed API key attempts"). */
  label: string;
  /** The counter's name in the shared table ("api-key", "login-address"…). */
  scope?: string;
}

interface Window {
  failures: number;
  resetAt: number;
}

/**
 * Counts failures (not requests) per subject in fixed windows and refuses a
 * subject that used up its failures until its window ends. Counting only
 * failures means a busy client with a valid key is never slowed down, which
 * is why this is not @nestjs/throttler's request guard. Bounded: at most
 * `maxSubjects` windows are remembered (least recently used dropped first).
 *
 * Across instances: given a SharedFailureCounter, `fail()` counts each
 * failure in PostgreSQL too and adopts the shared count, so a subject's
 * failures on every instance add up. The check before a request stays in
 * memory (no query for a request that succeeds); an instance that has not
 * yet seen a subject's failures elsewhere learns them at the subject's next
 * failure there, and answers that one 429 instead of 401: a guesser gets
 * `limit` failed answers in all, however many instances it spreads them over.
 * With the database unreachable, counting falls back to this instance.
 */
export class FailureLimiter {
  private readonly windows: LRUCache<string, Window>;
  /** When the last open window ends; from then on no subject is limited. */
  private lastResetAt = 0;

  private readonly logger = new Logger('FailureLimiter');

  constructor(
    private readonly policy: FailurePolicy,
    private readonly now: () => number = Date.now,
    maxSubjects = 100_000,
    private readonly shared?: SharedFailureCounter,
  ) {
    this.windows = new LRUCache<string, Window>({ max: maxSubjects });
  }

  /** Throws 429 (with Retry-After) when `subject` has no failures left in its window. */
  assertAllowed(subject: string): void {
    // Every window has ended (the usual case: nobody failed lately): forget
    // them all at once rather than one by one as their subjects come back,
    // and skip the lookup.
    if (this.now() >= this.lastResetAt) {
      if (this.windows.size > 0) this.windows.clear();
      return;
    }
    const window = this.current(subject);
    if (window && window.failures >= this.policy.limit) throw this.tooMany(window);
  }

  /**
   * Records a failure here and in the shared counter; throws 429 when it went
   * past the limit counted across instances (the caller's own error otherwise
   * stands: a 401, a wrong password).
   */
  async fail(subject: string): Promise<void> {
    this.recordFailure(subject);
    if (!this.shared) return;
    let window: Window;
    try {
      window = await this.shared.increment(this.policy.scope ?? this.policy.label, subject, this.policy.windowMs);
    } catch (error) {
      this.logger.warn(`Shared failure counter unavailable, counting on this instance only: ${(error as Error).message}`);
      return;
    }
    const local = this.current(subject);
    if (local && local.failures > window.failures) window = { failures: local.failures, resetAt: window.resetAt };
    this.windows.set(subject, window);
    this.lastResetAt = Math.max(this.lastResetAt, window.resetAt);
    if (window.failures > this.policy.limit) throw this.tooMany(window);
  }

  private tooMany(window: Window): TooManyAttemptsException {
    const retryAfter = Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
    return new TooManyAttemptsException(`Too many ${this.policy.label}; try again in ${retryAfter} seconds`, retryAfter);
  }

  /** Counts a failure on this instance only (fail() also counts it for every instance). */
  recordFailure(subject: string): void {
    const window = this.current(subject) ?? { failures: 0, resetAt: this.now() + this.policy.windowMs };
    window.failures++;
    this.windows.set(subject, window);
    this.lastResetAt = Math.max(this.lastResetAt, window.resetAt);
  }

  private current(subject: string): Window | undefined {
    const window = this.windows.get(subject);
    if (window && window.resetAt <= this.now()) {
      this.windows.delete(subject);
      return undefined;
    }
    return window;
  }
}
