import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TUS_VERSION } from './tus-protocol';

/** The tus request headers the service reads (lower-case names, as Fastify gives them). */
export interface TusHeaders {
  'tus-resumable'?: string;
  'upload-length'?: string;
  'upload-defer-length'?: string;
  'upload-offset'?: string;
  'upload-metadata'?: string;
  'upload-checksum'?: string;
  'upload-concat'?: string;
}

/** A tus answer: its status and headers (tus answers carry no body). */
export interface TusAnswer {
  status: 200 | 201 | 204;
  headers: Record<string, string>;
}

const OVERRIDABLE = new Set(['PATCH', 'DELETE', 'HEAD']);

/**
 * Two tus rules that must hold before Fastify routes a request, so they sit
 * on the HTTP server in front of it, for the tus endpoints only (`roots`:
 * paths without a leading slash — the API's, the dashboard's):
 * - `X-HTTP-Method-Override` on a POST (for clients behind proxies that drop
 *   PATCH) turns the request into that method, so it is routed, guarded and
 *   scoped exactly as the real method would be;
 * - every answer there, errors and 401s included, carries `Tus-Resumable`.
 */
export function registerTusHttp(fastify: FastifyInstance, roots: readonly string[]): void {
  const prefixes = roots.map((root) => `/${root}`);
  const isTus = (url: string): boolean =>
    prefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`));
  fastify.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!isTus(request.url ?? '')) return;
    response.setHeader('tus-resumable', TUS_VERSION);
    const override = request.headers['x-http-method-override'];
    if (request.method === 'POST' && typeof override === 'string' && OVERRIDABLE.has(override.trim().toUpperCase())) {
      request.method = override.trim().toUpperCase();
    }
  });
}

/** Writes a tus answer: its status and headers, no body. */
export async function sendTusAnswer(reply: FastifyReply, answer: TusAnswer): Promise<void> {
  await reply.status(answer.status).headers(answer.headers).send();
}
