import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import { toErrorBody } from './error-body';
import { MAX_JSON_DEPTH, RequestErrors } from './request.errors';

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (a URL with
 * malformed percent-encoding, a path parameter over `maxParamLength`) answer
 * in the one error shape instead of Fastify's four-field body that echoes the URL.
 */
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (
  error: FastifyError,
  _request: FastifyRequest,
  reply: FastifyReply,
) => {
  const domain = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? RequestErrors.pathSegmentTooLong() : RequestErrors.badUrl();
  const { body } = toErrorBody(domain);
  void reply.status(body.statusCode).header('cache-control', 'no-store').send(body);
};

/**
 * Nest's JSON body parser with one step first: a scan of the bytes for their
 * nesting depth. JSON.parse copes with 10,000 levels, but class-transformer
 * and the validators recurse over the parsed value and overflow the stack (a
 * 500). The scan is one pass over bytes already in memory (bodies are at most
 * the body limit, 64 KiB) and refuses with a 400 past MAX_JSON_DEPTH.
 */
export function registerDepthCheckedJsonParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit, onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const parse = fastify.getDefaultJsonParser(onProtoPoisoning ?? 'error', onConstructorPoisoning ?? 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
      done(RequestErrors.jsonTooDeep(), undefined);
      return;
    }
    parse(request as Parameters<typeof parse>[0], body.toString('utf8'), done);
  });
}

/**
 * Whether the JSON text's arrays and objects nest deeper than `limit`
 * (brackets inside strings do not count). Works on UTF-8 bytes: every byte of
 * a multi-byte character is ≥ 0x80, so none is mistaken for a bracket or quote.
 */
export function jsonDepthExceeds(bytes: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
