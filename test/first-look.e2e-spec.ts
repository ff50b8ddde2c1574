import request from 'supertest';
import { LastUsedTracker } from '../src/api-keys/last-used.tracker';
import { adminActor, createApiKey, signIn } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/** What a person meets first: the way in, and no framework wording anywhere. */
describe('First look (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('GET / goes to the dashboard', async () => {
    await request(t.http).get('/').expect(303).expect('Location', '/dashboard');
  });

  it.each([
    ['GET', '/api/v1/storage/files/not-a-uuid'],
    ['GET', '/api/v1/storage/files/123/content'],
    ['DELETE', '/api/v1/storage/files/nope'],
  ])('%s %s: a bad file id is "not a valid file id"', async (method, path) => {
    const { key } = await createApiKey(t, await adminActor(t));
    const res = await request(t.http)[method === 'GET' ? 'get' : 'delete'](path).set('x-api-key', key).expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'The id in the path is not a valid file id (a UUID, as id in the upload answer)',
    });
  });

  it('a bad key id in the dashboard says "not a valid key id", not the framework\'s words', async () => {
    const agent = await signIn(t);
    const res = await agent.get('/dashboard/api-keys/not-a-uuid').expect(400);
    expect(res.text).toContain('not a valid key id');
    expect(res.text).not.toMatch(/Validation failed|uuid v/);
  });

  it('an unknown dashboard page gets the dashboard\'s own 404, with its navigation', async () => {
    const agent = await signIn(t);
    const res = await agent.get('/dashboard/nope').expect(404);
    expect(res.text).toContain('Page not found');
    expect(res.text).toMatch(/<nav aria-label="Main">/);
    expect(res.text).not.toMatch(/Cannot GET/);
    const deeper = await agent.get('/dashboard/api-keys/x/y/z').expect(404);
    expect(deeper.text).toContain('Page not found');
    // Not signed in: the sign-in page, as for every dashboard page.
    await request(t.http).get('/dashboard/nope').expect(303).expect('Location', '/dashboard/login');
  });

  it('says "1 request", not "1 requests", on a key used once', async () => {
    const { id, key } = await createApiKey(t, await adminActor(t), 'used once');
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await t.app.get(LastUsedTracker).flush();
    const agent = await signIn(t);
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(page.text).toMatch(/<strong class="usage-total">1<\/strong> request in 30 days/);
  });
});
