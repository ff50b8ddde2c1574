import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { adminActor, createApiKey } from './support/factories';
import {
  checkConformance,
  recordResponses,
  type OpenApiDocument,
  type RecordedResponse,
} from './support/openapi-conformance';
import { startTestApp, type TestApp } from './support/test-app';

// The recorder must be attached between createApp() and app.init(); startTestApp does both, so
// this spec wraps the real factory (nothing else changes: real app, real database).
const mockRecorders: RecordedResponse[][] = [];
jest.mock('../src/app.factory', () => {
  const actual = jest.requireActual<typeof import('../src/app.factory')>('../src/app.factory');
  return {
    ...actual,
    createApp: async (...args: Parameters<typeof actual.createApp>): Promise<NestFastifyApplication> => {
      const app = await actual.createApp(...args);
      mockRecorders.push(recordResponses(app));
      return app;
    },
  };
});

describe('OpenAPI conformance checker (e2e)', () => {
  let t: TestApp;
  let recorded: RecordedResponse[];
  let doc: OpenApiDocument;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    recorded = mockRecorders[mockRecorders.length - 1];
    doc = (await request(t.http).get('/api/docs-json').expect(200)).body as OpenApiDocument;
    key = (await createApiKey(t, await adminActor(t), 'conformance')).key;
  });
  afterAll(async () => {
    await t.destroy();
  });

  /** The recorded answer of one real request. */
  async function answerOf(send: () => PromiseLike<unknown>): Promise<RecordedResponse> {
    const before = recorded.length;
    await send();
    expect(recorded.length).toBe(before + 1);
    return recorded[before];
  }

  it('records method, route pattern, status, content type and the parsed JSON body', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me?x=1').set('x-api-key', key).expect(200));
    expect(me).toEqual({
      method: 'GET',
      route: '/api/v1/me',
      url: '/api/v1/me?x=1',
      statusCode: 200,
      contentType: 'application/json',
      hasBody: true,
      body: expect.objectContaining({ name: 'conformance', owner: expect.objectContaining({ email: expect.any(String) }) }),
      handlerBody: expect.objectContaining({ name: 'conformance' }),
      serializedBySchema: true,
    });
    expect(me.handlerBody).toEqual(me.body);
    const page = await answerOf(() => request(t.http).get('/dashboard/login').expect(200));
    expect(page).toMatchObject({ route: '/dashboard/login', contentType: 'text/html', hasBody: true });
    expect(page.body).toBeUndefined();
  });

  it('passes the real answers of the documented operations, errors included', async () => {
    const start = recorded.length;
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await request(t.http).get('/api/v1/me').expect(401);
    await request(t.http).get('/api/v1/me').set('x-api-key', 'exstr_live_00000000000000000000000000000000').expect(401);
    await request(t.http)
      .post('/api/v1/storage/upload')
      .set('x-api-key', key)
      .send({ filename: 'a.txt', mimeType: 'text/plain', size: 3 })
      .expect(201);
    await request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).send({ filename: '' }).expect(400);
    await request(t.http).get('/api/v1/no-such-route').set('x-api-key', key).expect(404);
    await request(t.http).get('/health/live').expect(200);

    const report = checkConformance(recorded.slice(start), doc);
    expect(report.violations).toEqual([]);
    expect(report.checked).toBe(5);
    expect(report.unrouted).toBe(1);
  });

  it('catches an undocumented status code', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200));
    const report = checkConformance([{ ...me, statusCode: 418 }], doc);
    expect(report.violations).toEqual([expect.stringMatching(/status 418 is not documented for GET \/api\/v1\/me/)]);
  });

  it('catches a content type the document does not list', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200));
    const report = checkConformance([{ ...me, contentType: 'text/plain', body: undefined }], doc);
    expect(report.violations).toEqual([expect.stringMatching(/content type text\/plain is not documented for 200/)]);
  });

  it('catches a body that violates the documented schema (through $refs)', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200));
    const body = me.body as Record<string, unknown>;
    const report = checkConformance(
      [
        { ...me, body: { ...body, keyId: 42 } },
        { ...me, body: { ...body, owner: { id: 'x' } } },
      ],
      doc,
    );
    expect(report.violations).toEqual([
      expect.stringMatching(/body does not match the 200 schema: \/keyId must be string/),
      expect.stringMatching(/body does not match the 200 schema: \/owner must have required property 'email'/),
    ]);

    const unauthorized = await answerOf(() => request(t.http).get('/api/v1/me').expect(401));
    const bad = checkConformance([{ ...unauthorized, body: { statusCode: 401, error: 'Unauthorized' } }], doc);
    expect(bad.violations).toEqual([expect.stringMatching(/401 schema: \(body\) must have required property 'message'/)]);
  });

  it('checks the handler\'s own answer too, which the lenient serializer could have mended', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200));
    const body = me.body as Record<string, unknown>;
    const report = checkConformance([{ ...me, handlerBody: { ...body, keyId: 42 } }], doc);
    expect(report.violations).toEqual([expect.stringMatching(/handler's answer does not match the 200 schema: \/keyId must be string/)]);
  });

  it('catches a documented JSON answer written without the serializer compiled from its schema', async () => {
    const me = await answerOf(() => request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200));
    expect(checkConformance([{ ...me, serializedBySchema: false }], doc).violations).toEqual([
      expect.stringMatching(/written by JSON.stringify, not by the serializer compiled from the documented 200 schema/),
    ]);
    // Errors keep the filter's JSON.stringify: that is not a violation.
    const unauthorized = await answerOf(() => request(t.http).get('/api/v1/me').expect(401));
    expect(unauthorized.serializedBySchema).toBe(false);
    expect(checkConformance([unauthorized], doc).violations).toEqual([]);
  });

  it('catches an operation the document does not have, and a body that is not JSON', () => {
    const made: RecordedResponse = {
      method: 'DELETE',
      route: '/api/v1/me',
      url: '/api/v1/me',
      statusCode: 204,
      contentType: undefined,
      hasBody: false,
    };
    const broken: RecordedResponse = {
      method: 'GET',
      route: '/api/v1/me',
      url: '/api/v1/me',
      statusCode: 200,
      contentType: 'application/json',
      hasBody: true,
      invalidJson: 'Unexpected token',
    };
    expect(checkConformance([made, broken], doc).violations).toEqual([
      expect.stringMatching(/no operation DELETE \/api\/v1\/me in the document/),
      expect.stringMatching(/body is not JSON/),
    ]);
  });

  it('reads OpenAPI 3.0 nullable: null passes where nullable, fails where not', () => {
    const mini: OpenApiDocument = {
      openapi: '3.0.0',
      paths: {
        '/api/v1/things/{id}': {
          get: {
            responses: {
              '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
            },
          },
        },
      },
      components: {
        schemas: {
          Thing: {
            type: 'object',
            required: ['name', 'sha256', 'status', 'parent'],
            properties: {
              name: { type: 'string' },
              sha256: { type: 'string', nullable: true },
              status: { type: 'string', enum: ['ready'], nullable: true },
              parent: { nullable: true, allOf: [{ $ref: '#/components/schemas/Parent' }] },
            },
          },
          Parent: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } },
        },
      },
    };
    const answer = (body: unknown): RecordedResponse => ({
      method: 'GET',
      route: '/api/v1/things/:id',
      url: '/api/v1/things/1',
      statusCode: 200,
      contentType: 'application/json',
      hasBody: true,
      body,
    });
    const report = checkConformance(
      [
        answer({ name: 'a', sha256: null, status: null, parent: null }),
        answer({ name: 'a', sha256: 'f', status: 'ready', parent: { id: '7b0f5e9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c' } }),
        answer({ name: null, sha256: null, status: null, parent: null }),
        answer({ name: 'a', sha256: null, status: null, parent: { id: 'not-a-uuid' } }),
      ],
      mini,
    );
    expect(report.checked).toBe(4);
    expect(report.violations).toEqual([
      expect.stringMatching(/\/name must be string/),
      expect.stringMatching(/\/parent\/id must match format "uuid"/),
    ]);
  });
});
