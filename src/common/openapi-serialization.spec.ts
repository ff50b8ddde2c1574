import type { OpenAPIObject } from '@nestjs/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { documentedJsonAnswers, serializeDocumentedAnswers, toSerializerSchema } from './openapi-serialization';

/** A document shaped the way @nestjs/swagger writes ours: $refs, a described ref as allOf, nullable, required. */
const document = {
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths: {
    '/things/{id}': {
      get: {
        responses: {
          '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/ThingDto' } } } },
          '404': { description: 'no', content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } } },
        },
      },
    },
    '/things/{id}/content': {
      get: { responses: { '200': { description: 'bytes', content: { '*/*': { schema: { type: 'string', format: 'binary' } } } } } },
    },
    '/loose': {
      get: { responses: { '200': { description: 'ok', content: { 'application/json': { schema: { $ref: '#/components/schemas/LooseDto' } } } } } },
    },
  },
  components: {
    schemas: {
      OwnerDto: {
        type: 'object',
        properties: { id: { type: 'string', format: 'uuid' }, email: { type: 'string', format: 'email' } },
        required: ['id', 'email'],
      },
      ThingDto: {
        type: 'object',
        properties: {
          id: { type: 'string', format: 'uuid', example: '…' },
          size: { type: 'integer', format: 'int64', minimum: 0 },
          status: { type: 'string', enum: ['pending', 'ready'] },
          owner: { description: 'who', allOf: [{ $ref: '#/components/schemas/OwnerDto' }] },
          tags: { type: 'array', items: { type: 'string' } },
          createdAt: { type: 'string', format: 'date-time' },
          uploadedAt: { type: 'string', format: 'date-time', nullable: true },
          shared: { type: 'boolean' },
        },
        required: ['id', 'size', 'status', 'owner', 'tags', 'createdAt', 'uploadedAt', 'shared'],
      },
      ErrorDto: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] },
      NodeDto: {
        type: 'object',
        properties: { name: { type: 'string' }, children: { type: 'array', items: { $ref: '#/components/schemas/NodeDto' } } },
      },
      LooseDto: {
        type: 'object',
        properties: {
          either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
          map: { type: 'object', additionalProperties: { type: 'string' } },
          tree: { $ref: '#/components/schemas/NodeDto' },
        },
      },
    },
  },
} as unknown as OpenAPIObject;

describe('serializeDocumentedAnswers', () => {
  let app: FastifyInstance;
  let answer: unknown;

  beforeAll(async () => {
    app = Fastify();
    serializeDocumentedAnswers(app, document);
    app.get('/things/:id', async (request, reply) => (request.query as { missing?: string }).missing ? reply.code(404).send(answer) : answer);
    app.get('/loose', async () => answer);
    app.get('/undocumented', async () => answer);
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  /** What the route writes when its handler answers `value`. */
  async function written(url: string, value: unknown): Promise<string> {
    answer = value;
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    return res.payload;
  }

  const owner = { id: '8a3f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b', email: 'ops@example.com' };
  const thing = {
    id: '0b6f6f0e-6a0e-4f55-9d61-3f1b8f6f3f6b',
    size: 1024,
    status: 'ready',
    owner,
    tags: ['a', 'b "quoted"', '\u2028', '\ud800'],
    createdAt: '2026-11-28T08:39:21.123Z',
    uploadedAt: null,
    shared: false,
  };

  it.each([
    ['a complete answer', thing],
    ['a Date where the document says date-time', { ...thing, createdAt: new Date('2026-11-28T08:39:21.123Z') }],
    ['null where the document does not allow it (left for the conformance tests, not turned into "")', { ...thing, id: null, owner: null, tags: null, size: null }],
    ['a required property missing (left out, not a 500)', { id: thing.id, status: 'pending' }],
    ['a fraction where the document says integer (not truncated)', { ...thing, size: 1.5 }],
    ['an empty list and odd strings', { ...thing, tags: [], id: 'tab\there\u0001 ü 😀 \\' }],
  ])('writes exactly what JSON.stringify would: %s', async (_case, value) => {
    const payload = await written('/things/1', value);
    expect(payload).toBe(JSON.stringify(value));
  });

  // The proof that the compiled serializer, not JSON.stringify, writes the answer.
  it('leaves out what the document does not name', async () => {
    const payload = await written('/things/1', { ...thing, secret: 's', owner: { ...owner, passwordHash: 'h' } });
    expect(JSON.parse(payload)).toEqual(thing);
  });

  it('writes what it cannot map (oneOf, maps, recursion past one level) as JSON.stringify does', async () => {
    const value = { either: 7, map: { a: 'b', c: 'd' }, tree: { name: 'root', children: [{ name: 'leaf', children: [], extra: 1 }] } };
    const payload = await written('/loose', value);
    expect(payload).toBe(JSON.stringify(value));
  });

  it('gives schemas only to documented 2xx JSON answers: errors and undocumented routes keep JSON.stringify', async () => {
    const extra = { message: 'gone', extra: true };
    answer = extra;
    const notFound = await app.inject({ method: 'GET', url: '/things/1?missing=1' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.payload).toBe(JSON.stringify(extra));
    const payload = await written('/undocumented', { ...thing, secret: 's' });
    expect(JSON.parse(payload)).toHaveProperty('secret', 's');
  });
});

describe('documentedJsonAnswers', () => {
  it('finds the operation from Fastify\'s route pattern and keeps only 2xx JSON answers', () => {
    const answers = documentedJsonAnswers(document, 'GET', '/things/:id');
    expect(Object.keys(answers ?? {})).toEqual(['200']);
    expect(answers?.['200']).toEqual(
      expect.objectContaining({ type: 'object', properties: expect.objectContaining({ owner: expect.objectContaining({ type: 'object' }) }) }),
    );
  });

  it('has nothing for bytes, for an undocumented route or method, or for an unknown verb', () => {
    expect(documentedJsonAnswers(document, 'GET', '/things/:id/content')).toBeUndefined();
    expect(documentedJsonAnswers(document, 'GET', '/nowhere')).toBeUndefined();
    expect(documentedJsonAnswers(document, 'DELETE', '/things/:id')).toBeUndefined();
    expect(documentedJsonAnswers(document, 'SEARCH', '/things/:id')).toBeUndefined();
  });
});

describe('toSerializerSchema', () => {
  const components = (document.components?.schemas ?? {}) as Record<string, Record<string, unknown>>;

  it('inlines references, keeps dates, makes everything nullable and drops what it would enforce', () => {
    expect(toSerializerSchema({ $ref: '#/components/schemas/ThingDto' }, components)).toEqual({
      type: 'object',
      nullable: true,
      properties: {
        id: { type: 'string', nullable: true },
        size: { type: 'number', nullable: true },
        status: { type: 'string', nullable: true },
        owner: {
          type: 'object',
          nullable: true,
          properties: { id: { type: 'string', nullable: true }, email: { type: 'string', nullable: true } },
        },
        tags: { type: 'array', nullable: true, items: { type: 'string', nullable: true } },
        createdAt: { type: 'string', format: 'date-time', nullable: true },
        uploadedAt: { type: 'string', format: 'date-time', nullable: true },
        shared: { type: 'boolean', nullable: true },
      },
    });
  });

  it('stops at a recursive reference and at unknown references', () => {
    const node = toSerializerSchema({ $ref: '#/components/schemas/NodeDto' }, components);
    expect(node.properties?.children).toEqual({ type: 'array', nullable: true, items: {} });
    expect(toSerializerSchema({ $ref: '#/components/schemas/Nope' }, components)).toEqual({});
    expect(toSerializerSchema({ $ref: 'other.json#/X' }, components)).toEqual({});
  });
});
