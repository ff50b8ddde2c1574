import request from 'supertest';
import { hashApiKey } from '../src/api-keys/api-key-format';
import { ApiKeyCache } from '../src/api-keys/api-key.cache';
import { ApiKeyRepository } from '../src/api-keys/api-key.repository';
import { KeyRevocationListener } from '../src/api-keys/key-revocation.listener';
import { adminActor, createApiKey, csrfOn, signIn } from './support/factories';
import { controlClock, rollInDashboard } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

const HOUR = 3600_000;
const LISTENER_NAME = 'eds-revocation-listener-b';


describe('Revocation across instances (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    // A long cache TTL: only the notification can make B forget the key in time.
    a = await startTestApp({ env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
    // B listens over a URL of its own, as behind a transaction pooler (named, to be told apart).
    const listenUrl = new URL(a.databaseUrl);
    listenUrl.searchParams.set('application_name', LISTENER_NAME);
    b = await startTestApp({ databaseUrl: a.databaseUrl, env: { EDS_KEY_CACHE_TTL_MS: '300000', DATABASE_LISTEN_URL: listenUrl.href } });
  });
  afterAll(async () => {
    await b?.destroy();
    await a?.destroy();
  });

  it('listens on DATABASE_LISTEN_URL where it is set, and on DATABASE_URL where it is not', async () => {
    const dbName = new URL(a.databaseUrl).pathname.slice(1);
    const listeners = await a.sql<{ application_name: string }>(
      `SELECT application_name FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %' ORDER BY application_name`,
      [dbName],
    );
    // B's one listening connection is the named one; A's is its pool's kind (no name).
    expect(listeners.map((row) => row.application_name)).toEqual(['', LISTENER_NAME]);
  });

  it('answers a recently verified key from memory (no query)', async () => {
    const { key } = await createApiKey(a, await adminActor(a));
    await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    const spy = jest.spyOn(b.app.get(ApiKeyRepository), 'findActiveByHash');
    try {
      for (let i = 0; i < 3; i++) await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('deactivating in the dashboard on A makes B answer 401 within 1 s', async () => {
    const { id, key } = await createApiKey(a, await adminActor(a));
    await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    expect(b.app.get(ApiKeyCache).get(hashApiKey(key))).toBeDefined();

    const agent = await signIn(a);
    const csrf = await csrfOn(agent, `/dashboard/api-keys/${id}/deactivate`);
    await agent.post(`/dashboard/api-keys/${id}/deactivate`).type('form').send({ _csrf: csrf }).expect(303);

    // A: immediately, on the very next request.
    const onA = await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(401);
    expect(onA.body.message).toBe('Invalid or inactive API key');
    // B: through LISTEN/NOTIFY, well inside a second.
    const elapsed = await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', key)).status === 401, 1000);
    expect(elapsed).toBeLessThan(1000);
  });

  it('stops trusting the cache while the listener is disconnected, and reconnects', async () => {
    const { key } = await createApiKey(a, await adminActor(a));
    await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    const listener = b.app.get(KeyRevocationListener);
    expect(listener.listening).toBe(true);

    // Kill every LISTEN connection of this database (A's and B's listeners).
    const dbName = new URL(a.databaseUrl).pathname.slice(1);
    await a.sql(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND query LIKE 'LISTEN %'`,
      [dbName],
    );
    await until(async () => !listener.listening, 2000);
    const spy = jest.spyOn(b.app.get(ApiKeyRepository), 'findActiveByHash');
    try {
      await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
    await until(async () => listener.listening, 5000);
  });

  it('a roll without grace on A makes B answer 401 within 1 s', async () => {
    const old = await createApiKey(a, await adminActor(a));
    await request(b.http).get('/api/v1/me').set('x-api-key', old.key).expect(200);
    await rollInDashboard(await signIn(a), old.id, 'none');
    const elapsed = await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', old.key)).status === 401, 1000);
    expect(elapsed).toBeLessThan(1000);
  });

  it('a roll with grace on A gives B the new deadline (B refuses the old key once it has passed)', async () => {
    const old = await createApiKey(a, await adminActor(a));
    await request(b.http).get('/api/v1/me').set('x-api-key', old.key).expect(200); // B caches "never expires"
    await rollInDashboard(await signIn(a), old.id, '1h');
    const clockB = controlClock(b);
    try {
      clockB.advance(HOUR + 1000);
      const elapsed = await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', old.key)).status === 401, 1000);
      expect(elapsed).toBeLessThan(1000);
    } finally {
      clockB.restore();
    }
  });
});
