import SwaggerParser from '@apidevtools/swagger-parser';
import request from 'supertest';
import { startTestApp, type TestApp } from './support/test-app';

type Operation = {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string }; examples?: Record<string, { value: unknown }> }> }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let doc: Document;
  let operations: Array<{ path: string; method: string; op: Operation }>;
  /** The operations that need a key: all but those documented as public (`security: []`). */
  let keyed: Array<{ path: string; method: string; op: Operation }>;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await request(t.http).get('/api/docs-json').expect(200).expect('Content-Type', /json/);
    doc = res.body as Document;
    operations = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ path, method, op })),
    );
    keyed = operations.filter(({ op }) => !(Array.isArray(op.security) && op.security.length === 0));
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it('serves Swagger UI at /api/docs without inline scripts', async () => {
    const res = await request(t.http).get('/api/docs').expect(200).expect('Content-Type', /html/);
    expect(res.text).toContain('swagger-ui');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    await request(t.http).get('/api/docs/swagger-ui-init.js').expect(200);
  });

  it('declares the x-api-key header scheme', () => {
    expect(doc.components.securitySchemes['api-key']).toEqual(
      expect.objectContaining({ type: 'apiKey', in: 'header', name: 'x-api-key' }),
    );
  });

  it('documents the API and leaves the dashboard and health out', () => {
    const paths = Object.keys(doc.paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/me', '/api/v1/storage/upload']));
    expect(paths.filter((p) => !p.startsWith('/api/v1/'))).toEqual([]);
  });

  it('documents exactly one operation as public: the leaked-key report, which needs no key', () => {
    expect(operations.filter((o) => !keyed.includes(o)).map((o) => `${o.method.toUpperCase()} ${o.path}`)).toEqual(['POST /api/v1/keys/revoke']);
    const revoke = doc.paths['/api/v1/keys/revoke'].post;
    expect(revoke.security).toEqual([]);
    expect(revoke.responses['401']).toBeUndefined();
  });

  it('applies the key scheme and the shared 401 with both named examples to every other /api/v1 operation', () => {
    expect(keyed.length).toBeGreaterThanOrEqual(2);
    for (const { path, method, op } of keyed) {
      const where = `${method.toUpperCase()} ${path}`;
      expect({ where, security: op.security }).toEqual({ where, security: [{ 'api-key': [] }] });
      const unauthorized = op.responses['401']?.content?.['application/json'];
      expect({ where, schema: unauthorized?.schema }).toEqual({ where, schema: { $ref: '#/components/schemas/ErrorResponseDto' } });
      expect({ where, examples: unauthorized?.examples }).toEqual({
        where,
        examples: {
          'Missing API key': expect.objectContaining({
            value: { statusCode: 401, error: 'Unauthorized', message: 'Missing API key' },
          }),
          'Invalid or inactive API key': expect.objectContaining({
            value: { statusCode: 401, error: 'Unauthorized', message: 'Invalid or inactive API key' },
          }),
        },
      });
    }
  });

  it('documents the 400 of every operation that takes a body', () => {
    for (const { path, method, op } of operations.filter((o) => ['post', 'patch'].includes(o.method))) {
      expect({ where: `${method} ${path}`, has400: '400' in op.responses }).toEqual({ where: `${method} ${path}`, has400: true });
    }
  });

  it('is true: every keyed operation really answers its documented 401s', async () => {
    const sample = '7b0f5e9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c';
    for (const { path, method } of keyed) {
      const url = path.replace(/\{[^}]+\}/g, sample);
      const missing = await request(t.http)[method as 'get'](url).expect(401);
      expect(missing.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key' });
      const invalid = await request(t.http)[method as 'get'](url).set('x-api-key', 'exstr_live_00000000000000000000000000000000').expect(401);
      expect(invalid.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid or inactive API key' });
    }
  });

  it('has a schema for the shared error body', () => {
    expect(doc.components.schemas.ErrorResponseDto).toEqual(
      expect.objectContaining({ required: expect.arrayContaining(['statusCode', 'error', 'message']) }),
    );
  });
});
