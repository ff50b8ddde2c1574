import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { API_KEY_SECURITY } from '../api-keys/api-key-auth.decorator';
import { API_KEY_HEADER } from '../api-keys/api-key.strategy';
import { ErrorResponseDto } from './error-response.dto';

export const DOCS_PATH = 'api/docs';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
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
    .setVersion('1.0.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: API_KEY_HEADER, description: 'Your API key, `exstr_live_…`' }, API_KEY_SECURITY)
    .build();
  return SwaggerModule.createDocument(app, config, {
    extraModels: [ErrorResponseDto],
    operationIdFactory: (_controller, method) => method,
  });
}

/** Swagger UI at /api/docs, the OpenAPI 3 document at /api/docs-json. */
export function setupOpenApi(app: INestApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    yamlDocumentUrl: `${DOCS_PATH}-yaml`,
    customSiteTitle: 'EDS API',
    swaggerOptions: { persistAuthorization: true, displayOperationId: false },
  });
}
