import { CanActivate, ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { FailureLimiter, TooManyAttemptsException } from '../common/failure-limiter';
import { SharedFailureCounter } from '../common/shared-failure-counter';
import { keysConfig } from '../config';
import { ApiKeyErrors } from './api-keys.errors';

const HOUR = 3600_000;

/**
 * Leaked-key reports per client address (default 60 an hour, as GitHub's
 * endpoint): every report counts, good or bad, before its body is looked at.
 * Counted across instances in PostgreSQL, like the failed-key limiter.
 */
@Injectable()
export class LeakReportThrottle implements CanActivate {
  private readonly reports: FailureLimiter;

  constructor(@Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>, @Optional() shared?: SharedFailureCounter) {
    this.reports = new FailureLimiter(
      { limit: config.leakReportsPerHour, windowMs: HOUR, label: 'leaked-key reports from this address', scope: 'leak-report' },
      Date.now,
      undefined,
      shared,
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const address = context.switchToHttp().getRequest<FastifyRequest>().ip;
    try {
      this.reports.assertAllowed(address);
      // Counted here and for every instance; past the shared limit this report answers 429.
      await this.reports.fail(address);
    } catch (error) {
      if (error instanceof TooManyAttemptsException) throw ApiKeyErrors.reportsThrottled(error.retryAfterSeconds);
      throw error;
    }
    return true;
  }
}
