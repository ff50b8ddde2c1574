import { HttpException, HttpStatus } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

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
 * Per instance: with N instances the effective limit is at most N × limit.
 */
export class FailureLimiter {
  private readonly windows: LRUCache<string, Window>;
  /** When the last open window ends; from then on no subject is limited. */
  private lastResetAt = 0;

  constructor(
    private readonly policy: FailurePolicy,
    private readonly now: () => number = Date.now,
    maxSubjects = 100_000,
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
    if (window && window.failures >= this.policy.limit) {
      const retryAfter = Math.max(1, Math.ceil((window.resetAt - this.now()) / 1000));
      throw new TooManyAttemptsException(
        `Too many ${this.policy.label}; try again in ${retryAfter} seconds`,
        retryAfter,
      );
    }
  }

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
