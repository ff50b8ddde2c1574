import request from 'supertest';
import { adminActor, createApiKey, csrfFrom } from './support/factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

/** Nothing internal may leak: no stack frames, SQL, ORM class names or file paths. */
function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\s+at\s+\S+\s+\(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/src\//);
  expect(text).not.toMatch(/QueryFailedError|TypeORM|EntityNotFound|SELECT |INSERT |UPDATE |duplicate key|relation "/i);
}

describe('Hostile and clumsy input (e2e)', () => {
  let t: TestApp;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_TRUST_PROXY: 'true' } });
    key = (await createApiKey(t, await adminActor(t))).key;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const upload = (body: string, type = 'application/json') =>
    request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).set('Content-Type', type).send(body);

  it.each([
    ['deeply nested JSON', '{"filename":' + '{"a":'.repeat(500) + '1' + '}'.repeat(500) + ',"mimeType":"text/plain","size":1}'],
    ['a nested object where a string belongs', '{"filename":{"toString":"x"},"mimeType":"text/plain","size":1}'],
    ['__proto__ pollution', '{"__proto__":{"isAdmin":true},"filename":"a","mimeType":"text/plain","size":1}'],
    ['constructor pollution', '{"constructor":{"prototype":{"x":1}},"filename":"a","mimeType":"text/plain","size":1}'],
    ['a huge number', '{"filename":"a","mimeType":"text/plain","size":1e400}'],
    ['a negative zero and NaN-ish string', '{"filename":"a","mimeType":"text/plain","size":"NaN"}'],
    ['an array of arrays', '[[[]]]'],
    ['a bare string', '"a"'],
    ['true', 'true'],
    ['duplicate keys with a bad last value', '{"filename":"a","mimeType":"text/plain","size":1,"size":-1}'],
    ['truncated JSON', '{"filename":"a","mimeType":"text/pl'],
    ['an empty body', ''],
  ])('%s gets a 4xx with the standard body, never a 5xx', async (_label, body) => {
    const res = await upload(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body).toEqual({ statusCode: res.status, error: expect.any(String), message: expect.any(String) });
    expectNoInternals(res.text);
  });

  it('refuses a megabyte string with 413 before parsing it', async () => {
    const res = await upload(JSON.stringify({ filename: 'a'.repeat(1024 * 1024), mimeType: 'text/plain', size: 1 }));
    expect(res.status).toBe(413);
    expectNoInternals(res.text);
  });

  it('keeps CR/LF out of anything that becomes a header: mimeType is refused, filename is encoded', async () => {
    const bad = await upload(JSON.stringify({ filename: 'a.txt', mimeType: 'text/html\r\nSet-Cookie: x=1', size: 1 }));
    expect(bad.status).toBe(400);
    const evil = 'report\r\nSet-Cookie: stolen=1.txt';
    const created = await upload(JSON.stringify({ filename: evil, mimeType: 'text/plain', size: 1 }));
    // Control characters are refused in filenames…
    expect(created.status).toBe(400);
    expect(created.body.message).toMatch(/control characters/);
    // …and a name full of header-ish punctuation round-trips only inside the encoded filename*.
    const odd = 'a";b=c; filename*=UTF-8\'\'x.txt';
    const ok = await upload(JSON.stringify({ filename: odd, mimeType: 'text/plain', size: 1 })).expect(201);
    await request(t.http).put(`/api/v1/storage/files/${ok.body.id}/content`).set('x-api-key', key).send('x').expect(200);
    const download = await request(t.http).get(`/api/v1/storage/files/${ok.body.id}/content`).set('x-api-key', key).expect(200);
    const disposition = download.headers['content-disposition'] as string;
    expect(disposition).toMatch(/^attachment;/);
    expect(disposition).not.toMatch(/[\r\n]/);
    expect(disposition).toContain(`filename*=UTF-8''${encodeURIComponent(odd).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`);
    expect(download.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['a malformed id', '/api/v1/storage/files/not-a-uuid', 400],
    ['a SQL-ish id', "/api/v1/storage/files/1'%20OR%20'1'='1", 400],
    ['a traversal id', '/api/v1/storage/files/..%2F..%2Fetc%2Fpasswd/content', 400],
    ['an unknown query parameter', '/api/v1/storage/files?offset=10', 400],
    ['a limit of 0', '/api/v1/storage/files?limit=0', 400],
    ['a limit of 101', '/api/v1/storage/files?limit=101', 400],
    ['a non-numeric limit', '/api/v1/storage/files?limit=ten', 400],
    ['repeated limits', '/api/v1/storage/files?limit=1&limit=2', 400],
    ['a garbage cursor', '/api/v1/storage/files?cursor=%00%01%02', 400],
    ['a huge cursor', `/api/v1/storage/files?cursor=${'A'.repeat(5000)}`, 400],
  ])('%s: %s answers %i', async (_label, path, status) => {
    const res = await request(t.http).get(path).set('x-api-key', key);
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.any(String) });
    expectNoInternals(res.text);
  });

  it('an unknown route is a plain 404 in the standard shape', async () => {
    const res = await request(t.http).get('/api/v1/nothing-here').set('x-api-key', key).expect(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });

  it('a very long x-api-key header is refused as invalid, without a query', async () => {
    const res = await request(t.http).get('/api/v1/me').set('x-api-key', 'exstr_live_' + 'a'.repeat(8000));
    expect(res.status).toBe(401);
    expect(res.body.message).toBe('Invalid or inactive API key');
  });

  it('dashboard forms survive hostile values: escaped, 4xx, never 5xx', async () => {
    const agent = request.agent(t.http);
    const page = await agent.get('/dashboard/login').expect(200);
    const res = await agent
      .post('/dashboard/login')
      .type('form')
      .send({ email: '"><script>alert(1)</script>', password: 'x', _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(401);
    expect(res.text).not.toContain('<script>alert(1)</script>');
    expect(res.text).toContain('&quot;&gt;&lt;script&gt;');
    const next = await agent.get('/dashboard/login').expect(200);
    const arrays = await agent
      .post('/dashboard/login')
      .type('form')
      .send(`email=a&email=b&password[x]=1&_csrf=${encodeURIComponent(csrfFrom(next.text))}`);
    expect(arrays.status).toBe(401);
  });

  it('sets Secure on the session cookie behind a TLS-terminating proxy', async () => {
    const page = await request(t.http).get('/dashboard/login').set('X-Forwarded-Proto', 'https').expect(200);
    const res = await request(t.http)
      .post('/dashboard/login')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', (page.headers['set-cookie'] as unknown as string[])[0].split(';')[0])
      .type('form')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: csrfFrom(page.text) })
      .expect(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('eds_session='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
  });
});
