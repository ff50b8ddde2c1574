import request from 'supertest';
import { Client } from 'pg';
import { startTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

describe('Health (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('GET /health/live answers without the database', async () => {
    const res = await request(t.http).get('/health/live').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /health is ready when the database and storage answer', async () => {
    const res = await request(t.http).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, storage: { status: 'up' } } });
  });

  it('GET /health answers 503 while the database refuses connections, and recovers', async () => {
    const dbName = new URL(t.databaseUrl).pathname.slice(1);
    const admin = new Client({ connectionString: process.env.EDS_TEST_ADMIN_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      // The timeout makes it wait until each backend is gone (PostgreSQL 14+).
      await admin.query(`SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = $1`, [dbName]);
      const down = await request(t.http).get('/health').expect(503);
      expect(down.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Not ready: database down' });
      await request(t.http).get('/health/live').expect(200);
    } finally {
      await admin.query(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    // The pool drops the connections that died with their backends and opens new ones.
    await until(async () => (await request(t.http).get('/health')).status === 200, 5_000);
  });
});
