import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { API_KEY_SECURITY_SCHEME } from '../src/api-keys';
import { AppModule } from '../src/app.module';
import { buildOpenApiDocument } from '../src/common/openapi';

/**
 * Writes the document the app serves at /api/docs-json to ./openapi.json, for integrators to
 * import. `preview` builds the module graph without instantiating providers, so no database is
 * needed; test/openapi-file.e2e-spec.ts proves the file equals what a real app serves.
 */
export const OPENAPI_FILE = join(__dirname, '..', 'openapi.json');

/** The one serialization both this script and the test use: Nest's key order, 2 spaces, trailing newline. */
export function serializeOpenApi(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
    preview: true,
    logger: false,
    abortOnError: false,
  });
  try {
    await writeFile(OPENAPI_FILE, serializeOpenApi(buildOpenApiDocument(app, [API_KEY_SECURITY_SCHEME])));
  } finally {
    await app.close();
  }
  console.log(`wrote ${OPENAPI_FILE}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error('openapi:export failed:', error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
