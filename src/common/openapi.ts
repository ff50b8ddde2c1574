import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorResponseDto } from './error-response.dto';
import { serializeDocumentedAnswers } from './openapi-serialization';

export const DOCS_PATH = 'api/docs';

/** What DocumentBuilder#addSecurity takes (@nestjs/swagger does not export the type by name). */
type SecuritySchemeObject = Parameters<DocumentBuilder['addSecurity']>[1];

/** A security scheme a feature module defines (api-keys' `api-key`); common/ only writes it into the document. */
export interface NamedSecurityScheme {
  readonly name: string;
  readonly scheme: Readonly<SecuritySchemeObject>;
}

export function buildOpenApiDocument(app: INestApplication, securitySchemes: readonly NamedSecurityScheme[]): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('EDS API')
    .setDescription(
      [
        'File storage for scripts and integrators.',
        '',
        'Every call needs an API key in the `x-api-key` header. Create keys in the dashboard at `/dashboard/api-keys`;',
        'a key is shown once, when it is created. Keys sent in the query string or body are ignored.',
        '',
        'Errors always have the body `{"statusCode", "error", "message"}`.',
      ].join('\n'),
    )
    .setVersion('1.0.0');
  for (const { name, scheme } of securitySchemes) builder.addSecurity(name, { ...scheme });
  const config = builder.build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controller, method) => method,
  });
  addCrossCuttingErrors(document);
  return document;
}

/**
 * Answers any /api/v1 operation can give, whatever its controller says: the
 * global filter's 500 and the 503 of a database outage. Documented once here,
 * next to the filter that produces them, rather than on every handler.
 */
function addCrossCuttingErrors(document: OpenAPIObject): void {
  const error = (
    description: string,
    example: object,
    headers?: Record<string, { description: string; schema: { type: 'integer' } }>,
  ) => ({
    description,
    ...(headers ? { headers } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' }, example } },
  });
  const unavailable = error(
    'The database is unreachable right now; retry after `Retry-After` seconds.',
    { statusCode: 503, error: 'Service Unavailable', message: 'Service temporarily unavailable; try again shortly' },
    { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } },
  );
  const internal = error('An unexpected fault on our side (details are logged, never sent).', {
    statusCode: 500,
    error: 'Internal Server Error',
    message: 'Internal server error',
  });
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const operation of [item.get, item.put, item.post, item.delete, item.patch, item.head]) {
      if (!operation) continue;
      operation.responses['500'] ??= internal;
      operation.responses['503'] ??= unavailable;
    }
  }
}

/**
 * Swagger UI at /api/docs, the OpenAPI 3 document at /api/docs-json. The
 * document is built at boot, before Nest registers the routes, because it
 * also gives each documented JSON answer its serializer.
 */
export function setupOpenApi(app: NestFastifyApplication, securitySchemes: readonly NamedSecurityScheme[]): void {
  const document = buildOpenApiDocument(app, securitySchemes);
  serializeDocumentedAnswers(app.getHttpAdapter().getInstance(), document);
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    yamlDocumentUrl: `${DOCS_PATH}-yaml`,
    customSiteTitle: 'EDS API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: false },
  });
}
