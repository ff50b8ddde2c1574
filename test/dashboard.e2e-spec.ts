import { createHash } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import request from 'supertest';
import { hashApiKey } from '../src/api-keys/api-key-format';
import { adminActor, createApiKey, createManager, csrfFrom, csrfOn, signIn } from './support/factories';
import { controllerMethods } from './support/routes';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

const KEY_PATTERN = /exstr_live_[0-9a-f]{32}/;

/** Every route the dashboard's controllers declare, as Nest registers it. */
function dashboardRoutes(t: TestApp): Array<{ method: RequestMethod; path: string }> {
  const routes: Array<{ method: RequestMethod; path: string }> = [];
  for (const { controller, name } of controllerMethods(t.app)) {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    const handler = (controller.prototype as Record<string, object>)[name];
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (!base.startsWith('dashboard') || method === undefined) continue;
    const own = String(Reflect.getMetadata(PATH_METADATA, handler) ?? '/');
    routes.push({ method, path: `/${base}${own === '/' ? '' : `/${own.replace(/^\//, '')}`}` });
  }
  return routes;
}

function sessionCookie(setCookie: string[] | string | undefined): string {
  const cookies = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const cookie = cookies.find((c) => c.startsWith('eds_session='));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(cookies)}`);
  return cookie;
}

describe('Dashboard (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe('sign-in', () => {
    it('sends anonymous visitors to the login page', async () => {
      await request(t.http).get('/dashboard/api-keys').expect(303).expect('Location', '/dashboard/login');
      await request(t.http).get('/dashboard/managers').expect(303).expect('Location', '/dashboard/login');
    });

    it('shows a login form with email, password and a CSRF token', async () => {
      const res = await request(t.http).get('/dashboard/login').expect(200);
      expect(res.text).toMatch(/<input[^>]+name="email"/);
      expect(res.text).toMatch(/<input[^>]+name="password"/);
      expect(csrfFrom(res.text)).toBeTruthy();
    });

    it('gives the same answer for a wrong email and a wrong password', async () => {
      const attempt = async (email: string, password: string) => {
        const agent = request.agent(t.http);
        const csrf = await csrfOn(agent, '/dashboard/login');
        return agent.post('/dashboard/login').type('form').send({ email, password, _csrf: csrf });
      };
      const wrongEmail = await attempt('nobody@example.com', ADMIN_PASSWORD);
      const wrongPassword = await attempt(ADMIN_EMAIL, 'wrong-password-123');
      expect(wrongEmail.status).toBe(401);
      expect(wrongPassword.status).toBe(401);
      const message = (html: string) => /<p class="error"[^>]*>([^<]*)</.exec(html)?.[1];
      expect(message(wrongEmail.text)).toBe('Incorrect email or password');
      expect(message(wrongPassword.text)).toBe(message(wrongEmail.text));
    });

    it('refuses a login POST without a valid CSRF token (403)', async () => {
      const agent = request.agent(t.http);
      await agent.get('/dashboard/login').expect(200);
      const res = await agent
        .post('/dashboard/login')
        .type('form')
        .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: 'forged' })
        .expect(403);
      expect(res.headers.location).toBeUndefined();
    });

    it('sets an HttpOnly, SameSite=Lax session cookie and renews the session id at login', async () => {
      const agent = request.agent(t.http);
      const page = await agent.get('/dashboard/login').expect(200);
      const before = sessionCookie(page.headers['set-cookie']);
      expect(before).toMatch(/HttpOnly/i);
      expect(before).toMatch(/SameSite=Lax/i);
      const res = await agent
        .post('/dashboard/login')
        .type('form')
        .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: csrfFrom(page.text) })
        .expect(303);
      const after = sessionCookie(res.headers['set-cookie']);
      expect(after).toMatch(/HttpOnly/i);
      expect(after).toMatch(/SameSite=Lax/i);
      expect(after.split(';')[0]).not.toBe(before.split(';')[0]);
      // The pre-login session id no longer signs anyone in.
      await request(t.http).get('/dashboard/api-keys').set('Cookie', before.split(';')[0]).expect(303);
      await request(t.http).get('/dashboard/api-keys').set('Cookie', after.split(';')[0]).expect(200);
    });

    it('logs out server-side: the old cookie stops working', async () => {
      const login = await request(t.http).get('/dashboard/login').expect(200);
      const anonymous = sessionCookie(login.headers['set-cookie']).split(';')[0];
      const signedIn = await request(t.http)
        .post('/dashboard/login')
        .set('Cookie', anonymous)
        .type('form')
        .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: csrfFrom(login.text) })
        .expect(303);
      const cookie = sessionCookie(signedIn.headers['set-cookie']).split(';')[0];
      const page = await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(200);
      await request(t.http)
        .post('/dashboard/logout')
        .set('Cookie', cookie)
        .type('form')
        .send({ _csrf: csrfFrom(page.text) })
        .expect(303)
        .expect('Location', '/dashboard/login');
      // Replaying the cookie after logout gets nothing: the session is gone from the store.
      await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(303).expect('Location', '/dashboard/login');
    });
  });

  describe('API keys', () => {
    it('generates a key, shows it once with a copy button and no-store, and the key works', async () => {
      const agent = await signIn(t);
      const csrf = await csrfOn(agent, '/dashboard/api-keys');
      const res = await agent.post('/dashboard/api-keys').type('form').send({ name: 'CI deploy', _csrf: csrf }).expect(201);
      expect(res.headers['cache-control']).toBe('no-store');
      const key = KEY_PATTERN.exec(res.text)?.[0];
      expect(key).toBeDefined();
      expect(res.text).toMatch(/data-copy-target="new-key"/);
      expect(res.text).toMatch(/will not be shown again/i);
      // The example call uses the address the manager is on, not a hard-coded one.
      expect(res.text).toContain(`curl -H "x-api-key: ${key}" http://${res.request.url.split('/')[2]}/api/v1/me`);
      const me = await request(t.http).get('/api/v1/me').set('x-api-key', key!).expect(200);
      expect(me.body).toMatchObject({ name: 'CI deploy', owner: { email: ADMIN_EMAIL } });

      // Never again: not on the list, not on the key's page.
      const list = await agent.get('/dashboard/api-keys').expect(200);
      expect(list.text).not.toContain(key!);
      expect(list.text).toContain(`exstr_live_…${key!.slice(-4)}`);
      const show = await agent.get(`/dashboard/api-keys/${me.body.keyId}`).expect(200);
      expect(show.text).not.toContain(key!);
    });

    it('keeps the plaintext out of the database and the session store', async () => {
      const agent = await signIn(t);
      const csrf = await csrfOn(agent, '/dashboard/api-keys');
      const res = await agent.post('/dashboard/api-keys').type('form').send({ name: 'secret check', _csrf: csrf }).expect(201);
      const key = KEY_PATTERN.exec(res.text)![0];
      const secretPart = key.slice('exstr_live_'.length);
      const dump = await t.sql<{ dump: string }>(
        `SELECT (SELECT coalesce(json_agg(k), '[]')::text FROM api_keys k) ||
                (SELECT coalesce(json_agg(s), '[]')::text FROM dashboard_sessions s) AS dump`,
      );
      expect(dump[0].dump).toContain(hashApiKey(key));
      expect(dump[0].dump).not.toContain(secretPart);
      expect(t.logger.text()).not.toContain(secretPart);
    });

    it('lists keys as <tr data-key-id> rows with name, masked key, created, "Never" and status', async () => {
      const admin = await adminActor(t);
      const { id, key } = await createApiKey(t, admin, 'Listed key <b>');
      const agent = await signIn(t);
      const res = await agent.get('/dashboard/api-keys').expect(200);
      const row = new RegExp(`<tr data-key-id="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(res.text)?.[1];
      expect(row).toBeDefined();
      expect(row).toContain('Listed key &lt;b&gt;');
      expect(row).toContain(`exstr_live_…${key.slice(-4)}`);
      expect(row).toMatch(/<time datetime="/);
      expect(row).toMatch(/class="last-used">Never</);
      expect(row).toContain('Active');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.text).toMatch(/Generate New Key/);
    });

    it('shows when a key was last used', async () => {
      const admin = await adminActor(t);
      const { id } = await createApiKey(t, admin, 'used key');
      await t.sql(`UPDATE api_keys SET last_used_at = now() - interval '5 minutes' WHERE id = $1`, [id]);
      const agent = await signIn(t);
      const res = await agent.get('/dashboard/api-keys').expect(200);
      const row = new RegExp(`<tr data-key-id="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(res.text)![1];
      expect(row).toMatch(/class="last-used"><time datetime="[^"]+" title="[^"]+">5 minutes ago<\/time>/);
    });

    it.each([
      ['empty', ''],
      ['blank', '   '],
      ['101 characters', 'x'.repeat(101)],
    ])('refuses a %s name and says why', async (_label, name) => {
      const agent = await signIn(t);
      const csrf = await csrfOn(agent, '/dashboard/api-keys');
      const res = await agent.post('/dashboard/api-keys').type('form').send({ name, _csrf: csrf }).expect(400);
      expect(res.text).toMatch(/The name must be 1 to 100 characters long/);
      expect(res.text).not.toMatch(KEY_PATTERN);
    });

    it('accepts a 100-character name', async () => {
      const agent = await signIn(t);
      const csrf = await csrfOn(agent, '/dashboard/api-keys');
      const res = await agent.post('/dashboard/api-keys').type('form').send({ name: 'n'.repeat(100), _csrf: csrf }).expect(201);
      expect(res.text).toMatch(KEY_PATTERN);
    });

    it('refuses to generate without a valid CSRF token (403) and creates nothing', async () => {
      const agent = await signIn(t);
      await agent.get('/dashboard/api-keys').expect(200);
      const [{ count: before }] = await t.sql<{ count: string }>(`SELECT count(*) FROM api_keys`);
      await agent.post('/dashboard/api-keys').type('form').send({ name: 'no csrf' }).expect(403);
      await agent.post('/dashboard/api-keys').type('form').send({ name: 'bad csrf', _csrf: 'x' }).expect(403);
      const [{ count: after }] = await t.sql<{ count: string }>(`SELECT count(*) FROM api_keys`);
      expect(after).toBe(before);
    });

    it('deactivates after a confirmation step, and the key gets 401 at once', async () => {
      const admin = await adminActor(t);
      const { id, key } = await createApiKey(t, admin, 'to deactivate');
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      const agent = await signIn(t);
      const list = await agent.get('/dashboard/api-keys').expect(200);
      expect(list.text).toContain(`href="/dashboard/api-keys/${id}/deactivate"`);
      const confirm = await agent.get(`/dashboard/api-keys/${id}/deactivate`).expect(200);
      expect(confirm.text).toMatch(new RegExp(`<form method="post" action="/dashboard/api-keys/${id}/deactivate"`));
      expect(confirm.text).toMatch(/cannot be undone/);
      await agent
        .post(`/dashboard/api-keys/${id}/deactivate`)
        .type('form')
        .send({ _csrf: csrfFrom(confirm.text) })
        .expect(303)
        .expect('Location', '/dashboard/api-keys');
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
      expect(res.body.message).toBe('Invalid or inactive API key');
      const after = await agent.get('/dashboard/api-keys').expect(200);
      const row = new RegExp(`<tr data-key-id="${id}"[^>]*>([\\s\\S]*?)</tr>`).exec(after.text)![1];
      expect(row).toContain('Inactive');
      expect(after.text).toMatch(/is deactivated/);
    });

    it('refuses to deactivate without a CSRF token', async () => {
      const { id, key } = await createApiKey(t, await adminActor(t));
      const agent = await signIn(t);
      await agent.get('/dashboard/api-keys').expect(200);
      await agent.post(`/dashboard/api-keys/${id}/deactivate`).type('form').send({}).expect(403);
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    });

    it('refuses every state-changing dashboard route without a CSRF token (403), before anything runs', async () => {
      const routes = dashboardRoutes(t).filter((r) => r.method !== RequestMethod.GET && r.method !== RequestMethod.HEAD);
      expect(routes.map((r) => r.path)).toEqual(expect.arrayContaining(['/dashboard/login', '/dashboard/logout', '/dashboard/api-keys/:id/deactivate']));
      const { id, key } = await createApiKey(t, await adminActor(t));
      const agent = await signIn(t);
      for (const route of routes) {
        const path = route.path.replace(':id', id);
        const res = await agent[RequestMethod[route.method].toLowerCase() as 'post' | 'put' | 'patch' | 'delete'](path).type('form').send({});
        expect(`${RequestMethod[route.method]} ${route.path} ${res.status}`).toBe(`${RequestMethod[route.method]} ${route.path} 403`);
      }
      // Still signed in, and the key was neither deactivated, rolled nor deleted.
      await agent.get('/dashboard/api-keys').expect(200);
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    });

    it('answers 400 for a malformed key id and 404 for an unknown one', async () => {
      const agent = await signIn(t);
      await agent.get('/dashboard/api-keys/not-a-uuid').expect(400);
      await agent.get('/dashboard/api-keys/7b0f5e9c-1d2e-4f3a-9b8c-7d6e5f4a3b2c').expect(404);
    });
  });

  describe('owners and admins', () => {
    it('shows a manager only their own keys, and 404s on anyone else\'s', async () => {
      const alice = await createManager(t);
      const bob = await createManager(t);
      const aliceKey = await createApiKey(t, alice, 'alice key');
      const bobKey = await createApiKey(t, bob, 'bob key');
      const agent = await signIn(t, alice.email, alice.password);
      const list = await agent.get('/dashboard/api-keys').expect(200);
      expect(list.text).toContain(`data-key-id="${aliceKey.id}"`);
      expect(list.text).not.toContain(`data-key-id="${bobKey.id}"`);
      await agent.get(`/dashboard/api-keys/${bobKey.id}`).expect(404);
      await agent.get(`/dashboard/api-keys/${bobKey.id}/deactivate`).expect(404);
      const csrf = csrfFrom(list.text);
      await agent.post(`/dashboard/api-keys/${bobKey.id}/deactivate`).type('form').send({ _csrf: csrf }).expect(404);
      await request(t.http).get('/api/v1/me').set('x-api-key', bobKey.key).expect(200);
    });

    it('shows an admin every key with its owner, and lets them deactivate any', async () => {
      const carol = await createManager(t);
      const carolKey = await createApiKey(t, carol, 'carol key');
      const agent = await signIn(t);
      const list = await agent.get('/dashboard/api-keys').expect(200);
      const row = new RegExp(`<tr data-key-id="${carolKey.id}"[^>]*>([\\s\\S]*?)</tr>`).exec(list.text)?.[1];
      expect(row).toContain(carol.email);
      await agent
        .post(`/dashboard/api-keys/${carolKey.id}/deactivate`)
        .type('form')
        .send({ _csrf: csrfFrom(list.text) })
        .expect(303);
      await request(t.http).get('/api/v1/me').set('x-api-key', carolKey.key).expect(401);
    });

    it('lets only admins manage managers', async () => {
      const dave = await createManager(t);
      const asDave = await signIn(t, dave.email, dave.password);
      await asDave.get('/dashboard/managers').expect(403);
      const csrf = await csrfOn(asDave, '/dashboard/api-keys');
      await asDave.post('/dashboard/managers').type('form').send({ email: 'x@example.com', password: 'long-enough-pw', _csrf: csrf }).expect(403);
    });

    it('lets an admin add a manager who can then sign in', async () => {
      const agent = await signIn(t);
      const csrf = await csrfOn(agent, '/dashboard/managers');
      await agent
        .post('/dashboard/managers')
        .type('form')
        .send({ email: 'Erin@Example.com', password: 'erin-password-123', _csrf: csrf })
        .expect(303)
        .expect('Location', '/dashboard/managers');
      const list = await agent.get('/dashboard/managers').expect(200);
      expect(list.text).toContain('erin@example.com');
      const asErin = await signIn(t, 'erin@example.com', 'erin-password-123');
      await asErin.get('/dashboard/api-keys').expect(200);
      const [row] = await t.sql<{ password_hash: string }>(`SELECT password_hash FROM managers WHERE email = 'erin@example.com'`);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('refuses a duplicate email and a short password, saying why', async () => {
      const agent = await signIn(t);
      let csrf = await csrfOn(agent, '/dashboard/managers');
      const dup = await agent.post('/dashboard/managers').type('form').send({ email: ADMIN_EMAIL, password: 'long-enough-pw', _csrf: csrf }).expect(409);
      expect(dup.text).toMatch(/already exists/);
      csrf = await csrfOn(agent, '/dashboard/managers');
      const short = await agent.post('/dashboard/managers').type('form').send({ email: 'new@example.com', password: 'short', _csrf: csrf }).expect(400);
      expect(short.text).toMatch(/at least 12 characters/);
    });
  });

  describe('headers', () => {
    it('sends a strict CSP, frame denial and nosniff on dashboard pages', async () => {
      const res = await request(t.http).get('/dashboard/login').expect(200);
      const csp = res.headers['content-security-policy'];
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    });

    it('serves the copy button script as a file', async () => {
      const res = await request(t.http).get('/public/dashboard.js').expect(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
      expect(res.text).toContain('navigator.clipboard.writeText');
    });
  });
});

describe('Dashboard session lifetime (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_SESSION_IDLE_SECONDS: '600', EDS_SESSION_ABSOLUTE_SECONDS: '3600' } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** Signs in and returns the session cookie and the store's key for it (SHA-256 of the id). */
  async function session(): Promise<{ cookie: string; idHash: string; setCookie: string }> {
    const login = await request(t.http).get('/dashboard/login').expect(200);
    const res = await request(t.http)
      .post('/dashboard/login')
      .set('Cookie', sessionCookie(login.headers['set-cookie']).split(';')[0])
      .type('form')
      .send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD, _csrf: csrfFrom(login.text) })
      .expect(303);
    const setCookie = sessionCookie(res.headers['set-cookie']);
    const cookie = setCookie.split(';')[0];
    const sessionId = decodeURIComponent(cookie.slice('eds_session='.length)).split('.')[0];
    return { cookie, setCookie, idHash: createHash('sha256').update(sessionId).digest('hex') };
  }

  it('gives the cookie the idle lifetime and keeps an active session alive', async () => {
    const { cookie, setCookie } = await session();
    const expires = Date.parse(/Expires=([^;]+)/.exec(setCookie)![1]);
    expect(Math.abs(expires - (Date.now() + 600_000))).toBeLessThan(5_000);
    await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(200);
  });

  it('ends a session left idle past its lifetime', async () => {
    const { cookie, idHash } = await session();
    await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(200);
    await t.sql(`UPDATE dashboard_sessions SET expires_at = now() - interval '1 second' WHERE id_hash = $1`, [idHash]);
    await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(303).expect('Location', '/dashboard/login');
  });

  it('ends a session past its absolute lifetime however active, and deletes it', async () => {
    const { cookie, idHash } = await session();
    await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(200);
    const stale = Date.now() - 3601 * 1000;
    await t.sql(`UPDATE dashboard_sessions SET data = jsonb_set(data, '{signedInAt}', to_jsonb($1::bigint)) WHERE id_hash = $2`, [stale, idHash]);
    await request(t.http).get('/dashboard/api-keys').set('Cookie', cookie).expect(303).expect('Location', '/dashboard/login');
    expect(await t.sql(`SELECT 1 FROM dashboard_sessions WHERE id_hash = $1`, [idHash])).toEqual([]);
  });
});
