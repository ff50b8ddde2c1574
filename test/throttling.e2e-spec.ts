import request from 'supertest';
import { adminActor, createApiKey, csrfOn } from './support/factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

describe('Brute-force throttling (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      env: {
        EDS_TRUST_PROXY: 'true',
        EDS_API_KEY_FAILURES_PER_MINUTE: '10',
        EDS_LOGIN_FAILURES_PER_ADDRESS: '8',
        EDS_LOGIN_FAILURES_PER_ACCOUNT: '5',
      },
    });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const me = (address: string, key?: string) => {
    const req = request(t.http).get('/api/v1/me').set('X-Forwarded-For', address);
    return key === undefined ? req : req.set('x-api-key', key);
  };

  it('answers 429 with Retry-After after a burst of wrong keys, and leaves other clients alone', async () => {
    const { key } = await createApiKey(t, await adminActor(t));
    const wrong = 'exstr_live_' + '0'.repeat(32);
    for (let i = 0; i < 10; i++) await me('203.0.113.7', wrong).expect(401);
    const blocked = await me('203.0.113.7', wrong).expect(429);
    expect(blocked.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringMatching(/^Too many failed API key attempts; try again in \d+ seconds$/),
    });
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // The guessing address is refused even with a valid key until its window ends…
    await me('203.0.113.7', key).expect(429);
    // …while another client's valid key works, and its own wrong keys still get 401.
    await me('198.51.100.20', key).expect(200);
    await me('198.51.100.20', wrong).expect(401);
  });

  it('counts missing keys as failures too', async () => {
    for (let i = 0; i < 10; i++) await me('203.0.113.8').expect(401);
    await me('203.0.113.8').expect(429);
  });

  it('never slows a client that only sends valid keys', async () => {
    const { key } = await createApiKey(t, await adminActor(t));
    for (let i = 0; i < 30; i++) await me('203.0.113.9', key).expect(200);
  });

  const login = async (address: string, email: string, password: string) => {
    const agent = request.agent(t.http);
    const csrf = await csrfOn(agent, '/dashboard/login');
    return agent.post('/dashboard/login').set('X-Forwarded-For', address).type('form').send({ email, password, _csrf: csrf });
  };

  it('limits wrong passwords per account, whatever the address', async () => {
    const victim = 'victim@example.com';
    for (let i = 0; i < 5; i++) expect((await login(`192.0.2.${i + 1}`, victim, 'guess-' + i)).status).toBe(401);
    const res = await login('192.0.2.99', victim, 'another-guess');
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.text).toMatch(/Too many failed sign-ins for this account/);
    // Other accounts are unaffected.
    expect((await login('192.0.2.99', ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(303);
  });

  it('limits wrong passwords per address, across accounts', async () => {
    for (let i = 0; i < 8; i++) expect((await login('192.0.2.200', `user${i}@example.com`, 'nope-nope')).status).toBe(401);
    const res = await login('192.0.2.200', ADMIN_EMAIL, ADMIN_PASSWORD);
    expect(res.status).toBe(429);
    expect(res.text).toMatch(/Too many failed sign-ins from this address/);
  });

  describe('across two instances on one database', () => {
    let other: TestApp;

    beforeAll(async () => {
      other = await startTestApp({
        databaseUrl: t.databaseUrl,
        env: {
          EDS_TRUST_PROXY: 'true',
          EDS_API_KEY_FAILURES_PER_MINUTE: '10',
          EDS_LOGIN_FAILURES_PER_ADDRESS: '8',
          EDS_LOGIN_FAILURES_PER_ACCOUNT: '5',
        },
      });
    });
    afterAll(async () => {
      await other?.close();
    });

    it('gives a guesser spreading wrong keys over both the configured 10 failures, not 20', async () => {
      const wrong = 'exstr_live_' + '1'.repeat(32);
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) {
        const app = i % 2 === 0 ? t : other;
        statuses.push((await request(app.http).get('/api/v1/me').set('X-Forwarded-For', '203.0.113.50').set('x-api-key', wrong)).status);
      }
      expect(statuses.filter((s) => s === 401)).toHaveLength(10);
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses.slice(10)).toEqual(Array(14).fill(429));
    });

    it('limits wrong passwords for one account over both instances to the configured 5', async () => {
      const loginOn = async (app: TestApp, address: string, email: string, password: string) => {
        const agent = request.agent(app.http);
        const csrf = await csrfOn(agent, '/dashboard/login');
        return agent.post('/dashboard/login').set('X-Forwarded-For', address).type('form').send({ email, password, _csrf: csrf });
      };
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await loginOn(i % 2 === 0 ? t : other, `192.0.2.${100 + i}`, 'shared-victim@example.com', `guess-${i}`)).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429]);
    });

    it('writes nothing to the shared counters for requests with a valid key', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      await me('203.0.113.60', key).expect(200);
      const before = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM failure_counters`);
      for (let i = 0; i < 20; i++) await me('203.0.113.60', key).expect(200);
      const rows = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM failure_counters WHERE subject = '203.0.113.60'`);
      expect(rows[0].n).toBe('0');
      expect((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM failure_counters`))[0].n).toBe(before[0].n);
    });
  });
});
