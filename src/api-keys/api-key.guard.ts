import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import type { ApiKeyPrincipal } from './api-key-principal';
import { API_KEY_HEADER, API_KEY_STRATEGY } from './api-key.strategy';
import { LastUsedTracker } from './last-used.tracker';

export const MISSING_API_KEY = 'Missing API key';
export const INVALID_API_KEY = 'Invalid or inactive API key';

/**
 * Runs the Passport header strategy and answers the two 401s of the contract.
 * With no header Passport fails before `validate()` runs, so the guard itself
 * tells "missing" from "invalid" by looking at the header. Failed checks are
 * counted per client address; past the limit the address gets 429. A
 * successful one is recorded as a use of the key (in memory: the tracker
 * writes in bulk), with the client's address and user agent.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
  constructor(
    private readonly failures: ApiKeyFailureLimiter,
    private readonly uses: LastUsedTracker,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & { user?: ApiKeyPrincipal }>();
    const address = request.ip;
    this.failures.assertAllowed(address);
    try {
      const allowed = (await super.canActivate(context)) as boolean;
      if (allowed && request.user) {
        this.uses.touch(request.user.keyId, undefined, { ip: address, userAgent: request.headers['user-agent'] });
      }
      return allowed;
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
