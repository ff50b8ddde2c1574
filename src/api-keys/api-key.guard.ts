import { ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-key-principal';
import { API_KEY_HEADER, API_KEY_STRATEGY } from './api-key.strategy';

export const MISSING_API_KEY = 'Missing API key';
export const INVALID_API_KEY = 'Invalid or inactive API key';

/**
 * Runs the Passport header strategy and answers the two 401s of the contract.
 * With no header Passport fails before `validate()` runs, so the guard itself
 * tells "missing" from "invalid" by looking at the header.
 */
@Injectable()
export class ApiKeyGuard extends AuthGuard(API_KEY_STRATEGY) {
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
