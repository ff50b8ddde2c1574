import type { FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { hasRouteFlag, RouteFlag } from '../common/route-flags';

/** Route-config flag: this state-changing route checks the CSRF token itself (see CsrfCheckedInHandler). */
const CSRF_IN_HANDLER = 'edsCsrfInHandler';

type TokenRequest = FastifyRequest & { formCsrf?: string };

/**
 * Marks a dashboard route whose body is a stream (a multipart upload, marked
 * @RawBody() as well): the usual preHandler cannot read `_csrf` from a body
 * nobody has parsed yet, so the handler reads the form's fields (which the
 * page puts before the file) and calls verifyCsrf() before it stores a byte.
 */
export const CsrfCheckedInHandler = (): MethodDecorator => RouteFlag(CSRF_IN_HANDLER);

export const checksCsrfInHandler = (route: Pick<RouteOptions, 'config'>): boolean => hasRouteFlag(route, CSRF_IN_HANDLER);

/**
 * Where @fastify/csrf-protection finds the token: a token the handler read
 * from a streamed form, else the plugin's own places (the `_csrf` field, then
 * the CSRF headers, `x-csrf-token` among them).
 */
export function csrfTokenOf(request: FastifyRequest): string | undefined {
  const headers = request.headers;
  const header = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  return (
    (request as TokenRequest).formCsrf ||
    (request.body as { _csrf?: string } | undefined)?._csrf ||
    header('csrf-token') ||
    header('xsrf-token') ||
    header('x-csrf-token') ||
    header('x-xsrf-token')
  );
}

/**
 * Checks `token` against the session's secret with the plugin's own check;
 * rejects with its 403 error (FST_CSRF_*), which the global filter renders.
 */
export function verifyCsrf(request: FastifyRequest, token: string | undefined): Promise<void> {
  (request as TokenRequest).formCsrf = token ?? '';
  return new Promise((resolve, reject) => {
    // The plugin answers a refusal with reply.send(error); here it only hands the error back.
    const reply = { send: (error: Error) => reject(error) } as unknown as FastifyReply;
    request.server.csrfProtection(request, reply, () => resolve());
  });
}
