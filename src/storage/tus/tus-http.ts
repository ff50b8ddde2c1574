import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TUS_UPLOADS_ROOT } from '../storage-urls';
import { TUS_VERSION } from './tus-protocol';

const OVERRIDABLE = new Set(['PATCH', 'DELETE', 'HEAD']);
const PREFIX = `/${TUS_UPLOADS_ROOT}`;

/**
 * Two tus rules that must hold before Fastify routes a request, so they sit
 * on the HTTP server in front of it, for the tus endpoint only:
 * - `X-HTTP-Method-Override` on a POST (for clients behind proxies that drop
 *   PATCH) turns the request into that method, so it is routed, guarded and
 *   scoped exactly as the real method would be;
 * - every answer there, errors and 401s included, carries `Tus-Resumable`.
 */
export function registerTusHttp(fastify: FastifyInstance): void {
  fastify.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = request.url ?? '';
    if (url !== PREFIX && !url.startsWith(`${PREFIX}/`) && !url.startsWith(`${PREFIX}?`)) return;
    response.setHeader('tus-resumable', TUS_VERSION);
    const override = request.headers['x-http-method-override'];
    if (request.method === 'POST' && typeof override === 'string' && OVERRIDABLE.has(override.trim().toUpperCase())) {
      request.method = override.trim().toUpperCase();
    }
  });
}
