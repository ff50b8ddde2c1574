import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import type { ApiKeyPrincipal } from './api-key-principal';
import { API_KEY_HEADER, API_KEY_STRATEGY } from './api-key.strategy';

export const MISSING_API_KEY = 'Missing API key';
export const INVALID_API_KEY = 'Invalid or inactive API key';

/**
 * Runs the Passport header strategy and answers the two 401s of the contract.
 * With no header Passport fails before `validate()` runs, so the guard itself
 * tells "missing" from "invalid" by looking at the header. Failed checks are
 * counted per client address; past the limit the address gets 429.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
  constructor(private readonly failures: ApiKeyFailureLimiter) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const address = context.switchToHttp().getRequest<FastifyRequest>().ip;
    this.failures.assertAllowed(address);
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      if (error instanceof UnauthorizedException) this.failures.recordFailure(address);
      throw error;
    }
  }

  override handleRequest<T = ApiKeyPrincipal>(
    err: unknown,
    principal: T | false | null,
    _info: unknown,
    context: ExecutionContext,
  ): T {
    if (err) throw err;
    if (principal) return principal;
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[API_KEY_HEADER];
    const value = Array.isArray(header) ? header.join('') : header;
    if (value === undefined || value.trim() === '') throw new UnauthorizedException(MISSING_API_KEY);
    throw new UnauthorizedException(INVALID_API_KEY);
  }
}
