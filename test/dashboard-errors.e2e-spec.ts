import request from 'supertest';
import { signIn } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The dashboard renders its own error page (DashboardExceptionFilter and the
 * route error handler in dashboard-error.ts); the global filter only answers JSON.
 */
describe('Dashboard error pages (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('a refused CSRF token (raised before the controller) is a page, not JSON', async () => {
    const agent = await signIn(t);
    const res = await agent.post('/dashboard/api-keys').type('form').send({ name: 'no csrf' }).expect(403);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).toContain('403 · Forbidden');
  });

  it('an unknown key and an unknown dashboard path are 404 pages', async () => {
    const agent = await signIn(t);
    const key = await agent.get('/dashboard/api-keys/7b0f5e9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c').expect(404);
    expect(key.headers['content-type']).toMatch(/^text\/html/);
    expect(key.text).toContain('API key not found');
    // Signed in: the dashboard's own 404 page (signed out, an unknown page sends to the sign-in first).
    const path = await agent.get('/dashboard/no-such-page').expect(404);
    expect(path.headers['content-type']).toMatch(/^text\/html/);
    expect(path.text).toContain('Page not found');
  });

  it('API errors stay JSON in the three-field shape', async () => {
    const res = await request(t.http).get('/api/v1/me').expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Missing API key' });
    const unknown = await request(t.http).get('/api/v1/nothing-here').expect(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/json/);
    expect(unknown.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
  });
});
