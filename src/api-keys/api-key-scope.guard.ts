import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-key-principal';
import type { ApiKeyScope } from './api-key-scopes';

export const REQUIRED_SCOPE = 'eds:required-scope';

export const lacksScopeMessage = (scope: ApiKeyScope): string => `API key lacks scope ${scope}`;

/**
 * Runs after ApiKeyGuard (route guards follow controller guards): the key is
 * known to be valid, so what is left to say is 403, naming the scope.
 */
@Injectable()
export class ApiKeyScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const scope = this.reflector.get<ApiKeyScope | undefined>(REQUIRED_SCOPE, context.getHandler());
    if (!scope) return true;
    const principal = context.switchToHttp().getRequest<FastifyRequest & { user?: ApiKeyPrincipal }>().user;
    if (!principal?.scopes.includes(scope)) throw new ForbiddenException(lacksScopeMessage(scope));
    return true;
  }
}
