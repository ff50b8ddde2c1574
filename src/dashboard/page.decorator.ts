import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestOrigin } from '../common/request-origin.decorator';
import type { Actor } from '../managers';
import './session.types';

/** What every dashboard page needs: who is signed in, a CSRF token, a one-shot notice. */
export interface PageContext {
  actor: (Actor & { isAdmin: boolean }) | null;
  csrfToken: string;
  notice: string | null;
  /** The address the manager reached the dashboard at, for copy-paste examples. */
  origin: string;
}

export const Page = createParamDecorator((_: unknown, context: ExecutionContext): PageContext => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const reply = http.getResponse<FastifyReply>();
  const notice = request.session?.notice ?? null;
  if (notice) request.session.notice = undefined;
  return {
    actor: request.actor ? { ...request.actor, isAdmin: request.actor.role === 'admin' } : null,
    csrfToken: reply.generateCsrf(),
    notice,
    origin: requestOrigin(request),
  };
});
