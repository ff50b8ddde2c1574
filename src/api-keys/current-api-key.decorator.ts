import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { ApiKeyPrincipal } from './api-key-principal';

/** The principal ApiKeyGuard put on the request. */
export const CurrentApiKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): ApiKeyPrincipal =>
    (context.switchToHttp().getRequest<FastifyRequest & { user: ApiKeyPrincipal }>()).user,
);
