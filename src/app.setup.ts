import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { setupOpenApi } from './common/openapi';
import { createValidationPipe } from './common/validation.pipe';
import { registerDashboard } from './dashboard/dashboard.setup';

/**
 * Everything main.ts and the e2e tests both need on top of AppModule, so
 * tests exercise exactly what production serves.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  // Errors raised by Fastify itself (body parsing, limits, the CSRF hook) reach
  // this filter too: Nest installs Fastify's error handler and maps them.
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());

  // Security headers on every answer. helmet's middleware is built once here:
  // @fastify/helmet rebuilds it (and re-parses the CSP) on every request,
  // which cost more than the whole API-key check.
  const securityHeaders = helmet({
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
    .addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  await registerDashboard(app);
  setupOpenApi(app);
}
