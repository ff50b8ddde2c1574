import { ExecutionContext, ForbiddenException, Injectable, Optional, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import type { ApiKeyPrincipal } from './api-key-principal';
import { API_KEY_HEADER, API_KEY_STRATEGY } from './api-key.strategy';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { LastUsedTracker } from './last-used.tracker';
import { RefusalTracker } from './refusal.tracker';

export const MISSING_API_KEY = 'Missing API key';
export const INVALID_API_KEY = 'Invalid or inactive API key';
export const ADDRESS_NOT_ALLOWED = 'API key not allowed from this address';
/** RFC 9110 §11.6.1: a 401 names the scheme the client must use; ours is a header. */
export const API_KEY_CHALLENGE = 'ApiKey header="x-api-key"';

type KeyedRequest = FastifyRequest & { user?: ApiKeyPrincipal };

/**
 * Guards every /api/v1 route. A key the Passport header strategy verified
 * recently is admitted from memory, synchronously (the bounded cache that
 * revocations empty on every instance); any other value — a key not seen
 * lately, a malformed, unknown or inactive one, no header at all — goes
 * through the strategy, and this guard answers its two 401s. With no header
 * Passport fails before `validate()` runs, so the guard tells "missing" from
 * "invalid" by looking at the header itself.
 *
 * Failed checks are counted per client address; past the limit the address
 * gets 429. A successful one is recorded as a use of the key (in memory: the
 * tracker writes in bulk), with the client's address and user agent.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
  constructor(
    private readonly failures: ApiKeyFailureLimiter,
    private readonly uses: LastUsedTracker,
    private readonly apiKeys: ApiKeyAuthenticator,
    // Optional only so unit specs may leave it out; Nest always injects it.
    @Optional() private readonly refusals?: RefusalTracker,
  ) {
    super();
  }

  override canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const request = context.switchToHttp().getRequest<KeyedRequest>();
    const address = request.ip;
    this.failures.assertAllowed(address);
    // The hot path: most requests carry a key that was verified moments ago.
    // Answering it without a promise spares Passport's per-request machinery
    // and several microtask hops (measured: about a fifth of the request rate).
    const header = request.headers[API_KEY_HEADER];
    const known = typeof header === 'string' ? this.apiKeys.recall(header) : undefined;
    if (known) {
      this.admit(request, known, address);
      return true;
    }
    return this.checkWithPassport(context, request, address);
  }

  override handleRequest<T = ApiKeyPrincipal>(
    err: unknown,
    principal: T | false | null,
    _info: unknown,
    context: ExecutionContext,
  ): T {
    if (err) throw err;
    if (principal) return principal;
    void context.switchToHttp().getResponse<FastifyReply>().header('WWW-Authenticate', API_KEY_CHALLENGE);
    const header = context.switchToHttp().getRequest<FastifyRequest>().headers[API_KEY_HEADER];
    const value = Array.isArray(header) ? header.join('') : header;
    if (value === undefined || value.trim() === '') throw new UnauthorizedException(MISSING_API_KEY);
    throw new UnauthorizedException(INVALID_API_KEY);
  }

  private async checkWithPassport(context: ExecutionContext, request: KeyedRequest, address: string): Promise<boolean> {
    try {
      const allowed = (await super.canActivate(context)) as boolean;
      if (allowed && request.user) this.admit(request, request.user, address);
      return allowed;
    } catch (error) {
      // Counted for every instance; past the shared limit this failure answers 429.
      if (error instanceof UnauthorizedException) await this.failures.fail(address);
      throw error;
    }
  }

  /**
   * A valid key from outside its allowed networks is refused with 403 (not
   * 401: the key is real; not counted as a failed guess). Keys with no list
   * skip this with one null check; listed ones answer from the matcher's memo.
   */
  private admit(request: KeyedRequest, principal: ApiKeyPrincipal, address: string): void {
    if (principal.networks !== null && principal.networks !== undefined && !principal.networks.allows(address)) {
      this.refusals?.refuse(principal.keyId, address);
      throw new ForbiddenException(ADDRESS_NOT_ALLOWED);
    }
    request.user = principal;
    this.uses.touch(principal.keyId, undefined, { ip: address, userAgent: request.headers['user-agent'] });
  }
}
