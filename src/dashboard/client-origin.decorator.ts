import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuditOrigin } from '../audit/audit-event.types';

/**
 * Where a dashboard action comes from, for the audit trail: the client
 * address (request.ip, which honours X-Forwarded-For only with
 * EDS_TRUST_PROXY) and the browser's user agent.
 */
export const ClientOrigin = createParamDecorator((_: unknown, context: ExecutionContext): AuditOrigin => {
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  return { ip: request.ip ?? null, userAgent: request.headers['user-agent'] ?? null };
});
