import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyRequest } from 'fastify';
import { FailureLimiter, TooManyAttemptsException } from '../common/failure-limiter';
import { keysConfig } from '../config';
import { ApiKeyErrors } from './api-keys.errors';

const HOUR = 3600_000;

/**
 * Leaked-key reports per client address (default 60 an hour, as GitHub's
 * endpoint): every report counts, good or bad, before its body is looked at.
 * Per instance, like the failed-key limiter.
 */
@Injectable()
export class LeakReportThrottle implements CanActivate {
  private readonly reports: FailureLimiter;

  constructor(@Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>) {
    this.reports = new FailureLimiter({ limit: config.leakReportsPerHour, windowMs: HOUR, label: 'leaked-key reports from this address' });
  }

  canActivate(context: ExecutionContext): boolean {
    const address = context.switchToHttp().getRequest<FastifyRequest>().ip;
    try {
      this.reports.assertAllowed(address);
    } catch (error) {
      if (error instanceof TooManyAttemptsException) throw ApiKeyErrors.reportsThrottled(error.retryAfterSeconds);
      throw error;
    }
    this.reports.recordFailure(address);
    return true;
  }
}
