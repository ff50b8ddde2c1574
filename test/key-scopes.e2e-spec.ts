import request from 'supertest';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import type { ApiKeyScope } from '../src/api-keys/api-key-scopes';
import { createManager, signIn } from './support/factories';
import { generateInDashboard, rowOf } from './support/key-lifecycle';
import { StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

const forbidden = (scope: string) => ({ statusCode: 403, error: 'Forbidden', message: `API key lacks scope ${scope}` });

type Owner = Awaited<ReturnType<typeof createManager>>;

describe('Key scopes (e2e)', () => {
  let t: TestApp;
  let owner: Owner;
  let full: string;
  /** The owner's script with the all-scope key. */
  let files: StorageClient;
  const single = {} as Record<ApiKeyScope, string>;

  const newKey = async (scopes: ApiKeyScope[], name = scopes.join('+')): Promise<string> =>
    (await t.app.get(ApiKeysService).generate(owner, name, { scopes })).plaintext;

  /** A ready file of the owner's, made with the all-scope key. */
  const readyFile = async (): Promise<string> => (await files.upload(Buffer.from('abc'), { filename: 'a.txt', mimeType: 'text/plain' })).id;
  const pendingFile = async (): Promise<string> => (await files.start({ filename: 'b.txt', mimeType: 'text/plain', size: 3 })).id;

  /** Every storage operation, the scope it needs, and how it answers when allowed. */
  const operations: Array<{ name: string; scope: ApiKeyScope; ok: number; send: (key: string) => Promise<request.Response> }> = [
    {
      name: 'POST /upload',
      scope: 'files:write',
      ok: 201,
      send: (key) => request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).send({ filename: 'c.txt', mimeType: 'text/plain', size: 1 }),
    },
    {
      name: 'PUT /files/{id}/content',
      scope: 'files:write',
      ok: 200,
      send: async (key) =>
        request(t.http).put(`/api/v1/storage/files/${await pendingFile()}/content`).set('x-api-key', key).set('content-type', 'text/plain').send(Buffer.from('xyz')),
    },
    { name: 'GET /files', scope: 'files:read', ok: 200, send: (key) => request(t.http).get('/api/v1/storage/files').set('x-api-key', key) },
    {
      name: 'GET /files/{id}',
      scope: 'files:read',
      ok: 200,
      send: async (key) => request(t.http).get(`/api/v1/storage/files/${await readyFile()}`).set('x-api-key', key),
    },
    {
      name: 'GET /files/{id}/content',
      scope: 'files:read',
      ok: 200,
      send: async (key) => request(t.http).get(`/api/v1/storage/files/${await readyFile()}/content`).set('x-api-key', key),
    },
    {
      name: 'DELETE /files/{id}',
      scope: 'files:delete',
      ok: 204,
      send: async (key) => request(t.http).delete(`/api/v1/storage/files/${await readyFile()}`).set('x-api-key', key),
    },
    { name: 'GET /usage', scope: 'files:read', ok: 200, send: (key) => request(t.http).get('/api/v1/storage/usage').set('x-api-key', key) },
  ];

  beforeAll(async () => {
    t = await startTestApp();
    owner = await createManager(t);
    full = await newKey(['files:read', 'files:write', 'files:delete'], 'all');
    files = await StorageClient.for(t, full);
    for (const scope of ['files:read', 'files:write', 'files:delete'] as const) single[scope] = await newKey([scope]);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe.each(operations.map((op) => [op.name, op] as const))('%s', (_name, op) => {
    it(`is allowed with ${op.scope}`, async () => {
      const res = await op.send(single[op.scope]);
      expect(res.status).toBe(op.ok);
    });

    it.each((['files:read', 'files:write', 'files:delete'] as const).filter((s) => s !== op.scope))(
      `is refused with only %s: 403 naming ${op.scope}`,
      async (other) => {
        const res = await op.send(single[other]);
        expect(res.status).toBe(403);
        expect(res.body).toEqual(forbidden(op.scope));
      },
    );

    it('is allowed with a key holding every scope', async () => {
      expect((await op.send(full)).status).toBe(op.ok);
    });
  });

  it('refuses with 403 before looking at the file (no 404 leaks for a missing scope)', async () => {
    const res = await request(t.http)
      .get('/api/v1/storage/files/7b0f5e9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c')
      .set('x-api-key', single['files:write'])
      .expect(403);
    expect(res.body).toEqual(forbidden('files:read'));
  });

  it('checks the scope before the content type (403, not 415) and the key before both (401)', async () => {
    const res = await request(t.http)
      .post('/api/v1/storage/upload')
      .set('x-api-key', single['files:read'])
      .set('content-type', 'text/plain')
      .send('hello')
      .expect(403);
    expect(res.body).toEqual(forbidden('files:write'));
    await request(t.http).post('/api/v1/storage/upload').set('content-type', 'text/plain').send('hello').expect(401);
  });

  it('lets a key with two scopes do both and nothing else', async () => {
    const key = await newKey(['files:read', 'files:delete']);
    await request(t.http).get('/api/v1/storage/files').set('x-api-key', key).expect(200);
    await request(t.http).delete(`/api/v1/storage/files/${await readyFile()}`).set('x-api-key', key).expect(204);
    const res = await request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).send({ filename: 'x', mimeType: 'text/plain', size: 1 }).expect(403);
    expect(res.body).toEqual(forbidden('files:write'));
  });

  describe('GET /api/v1/me', () => {
    it('needs no scope and lists the key\'s scopes', async () => {
      for (const scope of ['files:read', 'files:write', 'files:delete'] as const) {
        const res = await request(t.http).get('/api/v1/me').set('x-api-key', single[scope]).expect(200);
        expect(res.body.scopes).toEqual([scope]);
      }
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', full).expect(200);
      expect(res.body.scopes).toEqual(['files:read', 'files:write', 'files:delete']);
    });
  });

  describe('in the dashboard', () => {
    it('gives a new key every scope by default, and only the ticked ones when narrowed', async () => {
      const agent = await signIn(t, owner.email, owner.password);
      const page = await agent.get('/dashboard/api-keys').expect(200);
      for (const scope of ['files:read', 'files:write', 'files:delete']) {
        expect(page.text).toMatch(new RegExp(`<input type="checkbox" name="scopes" value="${scope}" checked>`));
      }
      const all = await generateInDashboard(agent, { name: 'all scopes', scopes: ['files:read', 'files:write', 'files:delete'] });
      expect((await request(t.http).get('/api/v1/me').set('x-api-key', all.key).expect(200)).body.scopes).toEqual([
        'files:read',
        'files:write',
        'files:delete',
      ]);
      const readOnly = await generateInDashboard(agent, { name: 'read only', scopes: ['files:read'] });
      expect((await request(t.http).get('/api/v1/me').set('x-api-key', readOnly.key).expect(200)).body.scopes).toEqual(['files:read']);
      const res = await request(t.http).post('/api/v1/storage/upload').set('x-api-key', readOnly.key).send({ filename: 'x', mimeType: 'text/plain', size: 1 }).expect(403);
      expect(res.body).toEqual(forbidden('files:write'));
      const list = await agent.get('/dashboard/api-keys').expect(200);
      expect(rowOf(list.text, readOnly.id)).toMatch(/<code class="scope">files:read<\/code>/);
      expect(rowOf(list.text, readOnly.id)).not.toContain('files:write');
    });

    it('refuses a key with no scope, and an unknown scope, saying why', async () => {
      const agent = await signIn(t, owner.email, owner.password);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/dashboard/api-keys')).text)![1];
      const none = await agent.post('/dashboard/api-keys').type('form').send({ _csrf: csrf, name: 'no scope', scopesShown: '1' }).expect(400);
      expect(none.text).toContain('Choose at least one scope');
      expect(none.text).not.toMatch(/exstr_live_[0-9a-f]{32}/);
      const unknown = await agent.post('/dashboard/api-keys').type('form').send({ _csrf: csrf, name: 'bad scope', scopes: 'files:admin' }).expect(400);
      expect(unknown.text).toContain('Unknown scope');
    });
  });

  describe('OpenAPI', () => {
    type Op = { description?: string; 'x-required-scope'?: string; responses: Record<string, { content?: Record<string, { example?: unknown }> }> };
    let paths: Record<string, Record<string, Op>>;

    beforeAll(async () => {
      paths = (await request(t.http).get('/api/docs-json').expect(200)).body.paths;
    });

    it.each([
      ['post', '/api/v1/storage/upload', 'files:write'],
      ['put', '/api/v1/storage/files/{id}/content', 'files:write'],
      ['get', '/api/v1/storage/files', 'files:read'],
      ['get', '/api/v1/storage/files/{id}', 'files:read'],
      ['get', '/api/v1/storage/files/{id}/content', 'files:read'],
      ['delete', '/api/v1/storage/files/{id}', 'files:delete'],
      ['get', '/api/v1/storage/usage', 'files:read'],
    ])('documents %s %s: scope %s, its 403 and example', (method, path, scope) => {
      const op = paths[path][method];
      expect(op['x-required-scope']).toBe(scope);
      expect(op.description).toContain(`Requires the API key scope \`${scope}\`.`);
      expect(op.responses['403']?.content?.['application/json']?.example).toEqual(forbidden(scope));
    });

    it('documents /me without a scope; its only 403 is the allowed-networks refusal', () => {
      const op = paths['/api/v1/me'].get;
      expect(op['x-required-scope']).toBeUndefined();
      expect(op.responses['403']?.content?.['application/json']?.example).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: 'API key not allowed from this address',
      });
    });
  });
});
