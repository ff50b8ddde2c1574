import helmet, { type HelmetOptions } from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { API_KEY_SECURITY_SCHEME } from './api-keys';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { API_V1 } from './common/api-prefix';
import { registerDepthCheckedJsonParser } from './common/framework-errors';
import { setupOpenApi } from './common/openapi';
import { registerRawBodyRoutes } from './common/raw-body';
import { DASHBOARD_TUS_ROOT } from './dashboard/dashboard-file-uploads.controller';
import { registerDashboard } from './dashboard/dashboard.setup';
import { registerTusHttp, TUS_UPLOADS_ROOT } from './storage';

/**
 * Everything main.ts and the e2e tests both need on top of AppModule, so
 * tests exercise exactly what production serves.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  // Errors raised by Fastify itself (body parsing, limits, the CSRF hook) reach
  // this filter too: Nest installs Fastify's error handler and maps them.
  // (No global pipe: DTO parameters are validated where they are declared,
  // with @ValidBody() / @ValidQuery(); see common/validation.pipe.ts.)
  app.useGlobalFilters(new AllExceptionsFilter());

  // Security headers on every answer, computed once and then set as a static
  // set: @fastify/helmet rebuilds helmet and re-parses the CSP on every
  // request, which cost more than the whole API-key check. Pages (dashboard,
  // Swagger UI) get helmet's full set; JSON answers get the short set below.
  const pageHeaders = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI sets inline style attributes; no inline script anywhere.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    crossOriginEmbedderPolicy: false,
  });
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      void reply.headers(isJsonSurface(request.url) ? JSON_ANSWER_HEADERS : pageHeaders);
      done();
    });
  registerDepthCheckedJsonParser(app);
  // Routes marked @RawBody() stream their bytes; the hook must exist before Nest registers routes.
  registerRawBodyRoutes(app.getHttpAdapter().getInstance());
  registerTusHttp(app.getHttpAdapter().getInstance(), [TUS_UPLOADS_ROOT, DASHBOARD_TUS_ROOT]);
  await registerDashboard(app);
  setupOpenApi(app, [API_KEY_SECURITY_SCHEME]);
}

/**
 * What the REST API and the health checks answer with (OWASP REST Security
 * Cheat Sheet): never cached by default (file content sets its own
 * validators), nothing to render, nothing to frame, no sniffing. Helmet's
 * page-oriented headers (DNS prefetch, download options, XSS auditor, COOP…)
 * mean nothing to a JSON client and cost bytes on every answer.
 */
export const JSON_ANSWER_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

/** /api/v1 and /health answer JSON (or file bytes); everything else is a page or a page's asset. */
export function isJsonSurface(url: string): boolean {
  return url.startsWith(`/${API_V1}/`) || url === `/${API_V1}` || url.startsWith('/health');
}

/** The headers helmet sets for these options (they do not depend on the request). */
export function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  let failed: unknown;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => (failed = error));
  if (failed) throw failed;
  return headers;
}
