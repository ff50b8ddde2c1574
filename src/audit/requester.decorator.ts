import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AuditOrigin } from './audit-event.types';

/**
 * Who sent the request, as the audit trail records it: the client address
 * (request.ip, which honours X-Forwarded-For only with EDS_TRUST_PROXY) and
 * the user agent. (Not to be confused with RequestOrigin, the URL origin the
 * client addressed us at.)
 */
export const Requester = createParamDecorator((_: unknown, context: ExecutionContext): AuditOrigin =>
  requesterOf(context.switchToHttp().getRequest<FastifyRequest>()),
);

export const requesterOf = (request: FastifyRequest): AuditOrigin => ({
  ip: request.ip ?? null,
  userAgent: request.headers['user-agent'] ?? null,
});
