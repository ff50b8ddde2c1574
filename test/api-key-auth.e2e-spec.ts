import request from 'supertest';
import { hashApiKey } from '../src/api-keys/api-key-format';
import { ApiKeyRepository } from '../src/api-keys/api-key.repository';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { ApiKeyStrategy } from '../src/api-keys/api-key.strategy';
import { LastUsedTracker } from '../src/api-keys/last-used.tracker';
import { adminActor, anotherKeyLike, createApiKey, createManager } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const MISSING = { statusCode: 401, error: 'Unauthorized', message: 'Missing API key' };
const INVALID = { statusCode: 401, error: 'Unauthorized', message: 'Invalid or inactive API key' };

describe('API key authentication (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A long flush interval: stamping is driven explicitly, so tests are deterministic.
    t = await startTestApp({ env: { EDS_LAST_USED_FLUSH_MS: '60000' } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  describe('answer headers', () => {
    const JSON_SET = {
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    };

    it('gives API answers, the 401s included, the short JSON set and none of the page headers', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const ok = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      const refused = await request(t.http).get('/api/v1/me').expect(401);
      const health = await request(t.http).get('/health/live').expect(200);
      for (const res of [ok, refused, health]) {
        expect(res.headers).toEqual(expect.objectContaining(JSON_SET));
        expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
        expect(res.headers['x-dns-prefetch-control']).toBeUndefined();
        expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
      }
    });

    it('keeps the full page set on the Swagger UI', async () => {
      const res = await request(t.http).get('/api/docs').redirects(1).expect(200);
      expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(res.headers['cache-control']).not.toBe('no-store');
    });
  });

  describe('401 contract', () => {
    it('answers "Missing API key" when the header is absent', async () => {
      const res = await request(t.http).get('/api/v1/me').expect(401);
      expect(res.body).toEqual(MISSING);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    });

    it('names the scheme on every 401 (RFC 9110): WWW-Authenticate: ApiKey header="x-api-key"', async () => {
      const admin = await adminActor(t);
      const { id, key } = await createApiKey(t, admin);
      await t.app.get(ApiKeysService).deactivate(admin, id);
      const answers = [
        await request(t.http).get('/api/v1/me').expect(401),
        await request(t.http).get('/api/v1/me').set('x-api-key', 'not-a-key').expect(401),
        await request(t.http).get('/api/v1/storage/files').set('x-api-key', key).expect(401),
      ];
      for (const res of answers) expect(res.headers['www-authenticate']).toBe('ApiKey header="x-api-key"');
      const ok = await request(t.http).get('/api/v1/me').set('x-api-key', (await createApiKey(t, admin)).key).expect(200);
      expect(ok.headers['www-authenticate']).toBeUndefined();
    });

    it.each([[''], ['   ']])('answers "Missing API key" when the header is %j', async (value) => {
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', value).expect(401);
      expect(res.body).toEqual(MISSING);
    });

    it.each([
      ['garbage', 'not-a-key'],
      ['wrong prefix', 'exstr_test_0123456789abcdef0123456789abcdef'],
      ['upper-case hex', 'exstr_live_0123456789ABCDEF0123456789ABCDEF'],
      ['too short', 'exstr_live_0123'],
      ['unknown but well-formed', 'exstr_live_0123456789abcdef0123456789abcdef'],
      ['Bearer-prefixed', 'Bearer exstr_live_0123456789abcdef0123456789abcdef'],
    ])('answers "Invalid or inactive API key" for a %s value', async (_label, value) => {
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', value).expect(401);
      expect(res.body).toEqual(INVALID);
    });

    it('answers "Invalid or inactive API key" for a deactivated key, on the very next request', async () => {
      const admin = await adminActor(t);
      const { id, key } = await createApiKey(t, admin);
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      await t.app.get(ApiKeysService).deactivate(admin, id);
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
      expect(res.body).toEqual(INVALID);
    });

    it('ignores a key in the query string', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const res = await request(t.http).get(`/api/v1/me?x-api-key=${key}&api_key=${key}&apiKey=${key}`).expect(401);
      expect(res.body).toEqual(MISSING);
    });

    it('ignores a key in the JSON body', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const res = await request(t.http)
        .post('/api/v1/storage/upload')
        .send({ 'x-api-key': key, apiKey: key, filename: 'a.txt', mimeType: 'text/plain', size: 1 })
        .expect(401);
      expect(res.body).toEqual(MISSING);
    });

    it('ignores a key sent as Authorization: Bearer', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const res = await request(t.http).get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(401);
      expect(res.body).toEqual(MISSING);
    });

    it('checks the key before anything else on a protected route (no 400 or 415 leaks first)', async () => {
      const res = await request(t.http)
        .post('/api/v1/storage/upload')
        .set('content-type', 'text/plain')
        .send('hello')
        .expect(401);
      expect(res.body).toEqual(MISSING);
    });
  });

  describe('lookups', () => {
    it('rejects a malformed key without touching the database', async () => {
      const repo = t.app.get(ApiKeyRepository);
      const spy = jest.spyOn(repo, 'findActiveByHash');
      try {
        await request(t.http).get('/api/v1/me').set('x-api-key', 'exstr_live_short').expect(401);
        await request(t.http).get('/api/v1/me').set('x-api-key', 'x'.repeat(5000)).expect(401);
        expect(spy).not.toHaveBeenCalled();
        await request(t.http).get('/api/v1/me').set('x-api-key', 'exstr_live_ffffffffffffffffffffffffffffffff').expect(401);
        expect(spy).toHaveBeenCalledTimes(1);
        expect(spy).toHaveBeenCalledWith(hashApiKey('exstr_live_ffffffffffffffffffffffffffffffff'));
      } finally {
        spy.mockRestore();
      }
    });

    it('answers a key verified moments ago from memory: Passport and the database see it once', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const lookups = jest.spyOn(t.app.get(ApiKeyRepository), 'findActiveByHash');
      const verifications = jest.spyOn(t.app.get(ApiKeyStrategy), 'validate');
      try {
        for (let i = 0; i < 5; i++) {
          const res = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
          expect(res.body.name).toEqual(expect.any(String));
        }
        expect(lookups).toHaveBeenCalledTimes(1);
        expect(verifications).toHaveBeenCalledTimes(1);
        // A different, unknown key is not answered from memory.
        await request(t.http).get('/api/v1/me').set('x-api-key', 'exstr_live_eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee').expect(401);
        expect(verifications).toHaveBeenCalledTimes(2);
      } finally {
        lookups.mockRestore();
        verifications.mockRestore();
      }
    });

    it('finds keys by SHA-256 under a unique index', async () => {
      const indexes = await t.sql<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'api_keys' AND indexdef LIKE '%(key_hash)%'`,
      );
      expect(indexes.map((i) => i.indexdef)).toEqual([expect.stringMatching(/^CREATE UNIQUE INDEX .* \(key_hash\)$/)]);
    });
  });

  describe('storage of keys', () => {
    it('keeps only the hash and the last four characters, never the plaintext', async () => {
      const { id, key } = await createApiKey(t, await adminActor(t));
      const [row] = await t.sql<Record<string, unknown>>(`SELECT * FROM api_keys WHERE id = $1`, [id]);
      expect(row.key_hash).toBe(hashApiKey(key));
      expect(row.last_four).toBe(key.slice(-4));
      expect(JSON.stringify(row)).not.toContain(key.slice('exstr_live_'.length));
    });

    it('never writes a plaintext key to the log, wherever it was sent', async () => {
      const { key } = await createApiKey(t, await adminActor(t));
      const secret = key.slice('exstr_live_'.length);
      const before = t.logger.lines.length;
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      await request(t.http).get('/api/v1/me').set('x-api-key', anotherKeyLike(key)).expect(401);
      await request(t.http).get(`/api/v1/me?x-api-key=${key}`).set('Authorization', `Bearer ${key}`).set('Cookie', `k=${key}`).expect(401);
      const lines = t.logger.lines.slice(before).map((l) => JSON.parse(l) as { req?: { path?: string; route?: string }; res?: { statusCode?: number } });
      // The requests were logged as JSON lines (path and route, never the query string)…
      const requests = lines.filter((l) => l.req?.path === '/api/v1/me');
      expect(requests.map((l) => l.res?.statusCode)).toEqual([200, 401, 401]);
      expect(requests[0].req?.route).toBe('/api/v1/me');
      // …and no line anywhere carries the key.
      expect(t.logger.text()).not.toContain(secret);
    });
  });

  describe('GET /api/v1/me', () => {
    it('says who the key is', async () => {
      const owner = await createManager(t);
      const { id, key } = await createApiKey(t, owner, 'Nightly backup');
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      const [row] = await t.sql<{ created_at: Date }>(`SELECT created_at FROM api_keys WHERE id = $1`, [id]);
      expect(res.body).toEqual({
        keyId: id,
        name: 'Nightly backup',
        owner: { id: owner.id, email: owner.email },
        createdAt: row.created_at.toISOString(),
        scopes: ['files:read', 'files:write', 'files:delete'],
        expiresAt: null,
      });
    });
  });

  describe('last use', () => {
    const lastUsed = async (id: string): Promise<Date | null> =>
      (await t.sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [id]))[0]
        .last_used_at;

    it('is null until the key is used', async () => {
      const { id } = await createApiKey(t, await adminActor(t));
      await t.app.get(LastUsedTracker).flush();
      expect(await lastUsed(id)).toBeNull();
    });

    it('is coalesced in memory (no write per request) and written by the flush', async () => {
      const { id, key } = await createApiKey(t, await adminActor(t));
      const before = Date.now();
      for (let i = 0; i < 5; i++) await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      expect(await lastUsed(id)).toBeNull();
      await t.app.get(LastUsedTracker).flush();
      const stamp = await lastUsed(id);
      expect(stamp).not.toBeNull();
      expect(stamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(stamp!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('never moves backwards when an older stamp is flushed', async () => {
      const { id } = await createApiKey(t, await adminActor(t));
      const tracker = t.app.get(LastUsedTracker);
      tracker.touch(id, new Date('2030-01-01T00:00:00Z'));
      await tracker.flush();
      tracker.touch(id, new Date('2029-01-01T00:00:00Z'));
      await tracker.flush();
      expect((await lastUsed(id))!.toISOString()).toBe('2030-01-01T00:00:00.000Z');
    });
  });
});

describe('last-use stamps reach the database on their own (e2e)', () => {
  it('within the flush interval, and on graceful shutdown', async () => {
    const t = await startTestApp({ env: { EDS_LAST_USED_FLUSH_MS: '200' } });
    try {
      const admin = await adminActor(t);
      const a = await createApiKey(t, admin);
      await request(t.http).get('/api/v1/me').set('x-api-key', a.key).expect(200);
      let stamp: Date | null = null;
      for (let i = 0; i < 50 && !stamp; i++) {
        await new Promise((r) => setTimeout(r, 100));
        stamp = (await t.sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [a.id]))[0].last_used_at;
      }
      expect(stamp).toBeInstanceOf(Date);

      // A use right before shutdown is not lost: app.close() flushes it.
      const b = await createApiKey(t, admin);
      await request(t.http).get('/api/v1/me').set('x-api-key', b.key).expect(200);
      await t.close();
      const [row] = await t.sql<{ last_used_at: Date | null }>(`SELECT last_used_at FROM api_keys WHERE id = $1`, [b.id]);
      expect(row.last_used_at).toBeInstanceOf(Date);
    } finally {
      await t.destroy();
    }
  });
});
