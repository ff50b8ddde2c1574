import request from 'supertest';
import { ApiKeyRepository } from '../src/api-keys/api-key.repository';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { KeyExpirySweeper } from '../src/api-keys/key-expiry.sweeper';
import { createManager, signIn } from './support/factories';
import { controlClock, DAY, generateInDashboard, INVALID, rowOf, type TestClock } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

describe('Key expiry (e2e)', () => {
  let t: TestApp;
  let clock: TestClock;
  let owner: Awaited<ReturnType<typeof createManager>>;

  beforeAll(async () => {
    // A long cache TTL: an expired key must be refused even while it is cached.
    t = await startTestApp({ env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
    owner = await createManager(t);
  });
  beforeEach(() => {
    clock = controlClock(t);
  });
  afterEach(() => clock.restore());
  afterAll(async () => {
    await t?.destroy();
  });

  it.each([
    ['7', 7],
    ['30', 30],
    ['90', 90],
    ['365', 365],
  ])('generates a key expiring in %s days, which works until then and gets the same 401 after', async (expiry, days) => {
    const agent = await signIn(t, owner.email, owner.password);
    const { id, key } = await generateInDashboard(agent, { name: `${days}-day key`, expiry });
    const me = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    const expiresAt = Date.parse(me.body.expiresAt);
    expect(Math.abs(expiresAt - (clock.now().getTime() + days * DAY))).toBeLessThan(60_000);

    const list = await agent.get('/dashboard/api-keys').expect(200);
    expect(rowOf(list.text, id)).toMatch(new RegExp(`class="expires">expires <time[^>]*>in ${days} days</time>`));

    clock.set(new Date(expiresAt - 1000));
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    clock.set(new Date(expiresAt));
    const refused = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
    expect(refused.body).toEqual(INVALID);
  });

  it('generates a key expiring at the end of a chosen date (UTC)', async () => {
    clock.set(new Date('2031-03-10T15:00:00Z'));
    const agent = await signIn(t, owner.email, owner.password);
    const { key } = await generateInDashboard(agent, { name: 'until a date', expiry: 'date', expiresOn: '2031-04-01' });
    const me = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    expect(me.body.expiresAt).toBe('2031-04-02T00:00:00.000Z');
    clock.set(new Date('2031-04-01T23:59:59Z'));
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    clock.set(new Date('2031-04-02T00:00:00Z'));
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
  });

  it.each([
    ['a past date', '2020-01-01', 'The expiry date must be today or later'],
    ['no date', '', 'Pick the expiry date'],
    ['an impossible date', '2031-02-30', 'not a valid date'],
  ])('refuses "on a date" with %s, saying why', async (_label, expiresOn, message) => {
    const agent = await signIn(t, owner.email, owner.password);
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/dashboard/api-keys')).text)![1];
    const res = await agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrf, name: 'bad date', expiry: 'date', expiresOn })
      .expect(400);
    expect(res.text).toContain(message);
    expect(res.text).not.toMatch(/exstr_live_[0-9a-f]{32}/);
  });

  it('never expires by default (and says "Never")', async () => {
    const agent = await signIn(t, owner.email, owner.password);
    const { id, key } = await generateInDashboard(agent, { name: 'forever' });
    expect((await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200)).body.expiresAt).toBeNull();
    clock.advance(3650 * DAY);
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    clock.restore();
    clock = controlClock(t);
    expect(rowOf((await agent.get('/dashboard/api-keys')).text, id)).toMatch(/class="expires">Never</);
  });

  it('refuses an expired key at once even when it is cached, without a query', async () => {
    const { key } = await t.app.get(ApiKeysService).generate(owner, 'cached', { expiry: { kind: 'days', days: 7 } }).then((c) => ({ key: c.plaintext }));
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200); // now cached
    const lookups = jest.spyOn(t.app.get(ApiKeyRepository), 'findActiveByHash');
    try {
      await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
      clock.advance(7 * DAY);
      const res = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
      expect(res.body).toEqual(INVALID);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  it('shows "expired" on the list and the key page, and records the expiry in the audit trail once', async () => {
    const created = await t.app.get(ApiKeysService).generate(owner, 'short-lived', { expiry: { kind: 'days', days: 7 } });
    const id = created.key.id;
    clock.advance(9 * DAY);
    const agent = await signIn(t, owner.email, owner.password);
    const row = rowOf((await agent.get('/dashboard/api-keys')).text, id)!;
    expect(row).toMatch(/class="expires">expired <time[^>]*>2 days ago<\/time>/);
    expect(row).toContain('Expired');
    expect(row).toContain(`href="/dashboard/api-keys/${id}/delete"`);

    const sweeper = t.app.get(KeyExpirySweeper);
    expect(await sweeper.sweep()).toBeGreaterThanOrEqual(1);
    await sweeper.sweep();
    const entries = await t.sql<{ action: string; at: Date; actor_email: string | null }>(
      `SELECT action, at, actor_email FROM audit_events WHERE subject_id = $1 AND action = 'api_key.expired'`,
      [id],
    );
    expect(entries).toHaveLength(1);
    expect(entries[0].at.toISOString()).toBe(created.key.expiresAt!.toISOString());
    expect(entries[0].actor_email).toBeNull();
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(page.text).toMatch(/<tr data-action="api_key.expired">[\s\S]*?Expired[\s\S]*?EDS \(automatic\)[\s\S]*?its expiry was reached/);
  });
});
