import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * `scheme://host[:port]` as the client addressed us (X-Forwarded-* honoured
 * only with EDS_TRUST_PROXY). Services prefer EDS_PUBLIC_URL when it is set.
 */
export const RequestOrigin = createParamDecorator((_: unknown, context: ExecutionContext): string =>
  requestOrigin(context.switchToHttp().getRequest<FastifyRequest>()),
);

export function requestOrigin(request: FastifyRequest): string {
  const host = /^[A-Za-z0-9.\-:[\]]+$/.test(request.host) ? request.host : 'localhost';
  return `${request.protocol}://${host}`;
}
