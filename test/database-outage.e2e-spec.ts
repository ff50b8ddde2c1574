import request from 'supertest';
import { KeyRevocationListener } from '../src/api-keys/key-revocation.listener';
import { adminActor, createApiKey } from './support/factories';
import { StandalonePostgres } from './support/standalone-postgres';
import { startTestApp, type TestApp } from './support/test-app';
import { sleep } from './support/wait';


describe('Database outage (e2e)', () => {
  let pg: StandalonePostgres;
  let t: TestApp;

  beforeAll(async () => {
    pg = await StandalonePostgres.start();
    // A fresh, empty database: the app runs the migrations itself.
    t = await startTestApp({ databaseUrl: pg.url });
  }, 60_000);
  afterAll(async () => {
    try {
      await t?.destroy();
    } finally {
      await pg?.destroy();
    }
  }, 60_000);

  it('answers 503 (fast, not 500, not a hang) while PostgreSQL is down, and recovers without a restart', async () => {
    const { key } = await createApiKey(t, await adminActor(t));
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await request(t.http).get('/api/v1/storage/files').set('x-api-key', key).expect(200);

    await pg.stop();

    for (const path of ['/api/v1/me', '/api/v1/storage/files', '/api/v1/storage/usage']) {
      const started = Date.now();
      const res = await request(t.http).get(path).set('x-api-key', key);
      expect({ path, status: res.status, body: res.body }).toEqual({
        path,
        status: 503,
        body: { statusCode: 503, error: 'Service Unavailable', message: 'Service temporarily unavailable; try again shortly' },
      });
      expect(res.headers['retry-after']).toBe('5');
      expect(Date.now() - started).toBeLessThan(6_000);
    }
    const created = await request(t.http)
      .post('/api/v1/storage/upload')
      .set('x-api-key', key)
      .send({ filename: 'a.txt', mimeType: 'text/plain', size: 1 });
    expect(created.status).toBe(503);
    await request(t.http).get('/health').expect(503);
    await request(t.http).get('/health/live').expect(200);

    await pg.restart();

    const deadline = Date.now() + 15_000;
    while ((await request(t.http).get('/health')).status !== 200) {
      if (Date.now() > deadline) throw new Error('/health did not recover');
      await sleep(200);
    }
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await request(t.http).get('/api/v1/storage/files').set('x-api-key', key).expect(200);
    // The revocation listener reconnects too (so the key cache is trusted again).
    const listener = t.app.get(KeyRevocationListener);
    while (!listener.listening) {
      if (Date.now() > deadline) throw new Error('the revocation listener did not reconnect');
      await sleep(100);
    }
  }, 60_000);
});
