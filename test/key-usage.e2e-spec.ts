import request from 'supertest';
import { ApiKeyUsageRepository } from '../src/api-keys/api-key-usage.repository';
import { LastUsedTracker } from '../src/api-keys/last-used.tracker';
import { anotherKeyLike, createApiKey, createManager, signIn } from './support/factories';
import { controlClock, DAY, type TestClock } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

describe('Key usage (e2e)', () => {
  let t: TestApp;
  let clock: TestClock;
  let owner: Awaited<ReturnType<typeof createManager>>;

  beforeAll(async () => {
    // A long flush interval: the tests flush explicitly.
    t = await startTestApp({ env: { EDS_LAST_USED_FLUSH_MS: '60000' } });
    owner = await createManager(t);
  });
  beforeEach(() => {
    clock = controlClock(t, new Date('2031-06-15T10:00:00Z'));
  });
  afterEach(() => clock.restore());
  afterAll(async () => {
    await t?.destroy();
  });

  const call = (key: string, userAgent = 'backup-script/1.0') =>
    request(t.http).get('/api/v1/me').set('x-api-key', key).set('User-Agent', userAgent).expect(200);
  const daysOf = (id: string) =>
    t.sql<{ day: string; requests: number }>(`SELECT day::text AS day, requests FROM api_key_usage_days WHERE key_id = $1 ORDER BY day`, [id]);

  it('counts requests per day in memory and writes them with the last-use flush, not per request', async () => {
    const { id, key } = await createApiKey(t, owner, 'counted');
    const writes = jest.spyOn(t.app.get(ApiKeyUsageRepository), 'record');
    try {
      for (let i = 0; i < 7; i++) await call(key);
      expect(writes).not.toHaveBeenCalled();
      expect(await daysOf(id)).toEqual([]);
      await t.app.get(LastUsedTracker).flush();
      expect(writes).toHaveBeenCalledTimes(1);
    } finally {
      writes.mockRestore();
    }
    expect(await daysOf(id)).toEqual([{ day: '2031-06-15', requests: 7 }]);
    const [row] = await t.sql<{ last_used_at: Date; last_client_ip: string; last_user_agent: string }>(
      `SELECT last_used_at, last_client_ip, last_user_agent FROM api_keys WHERE id = $1`,
      [id],
    );
    expect(row.last_used_at.toISOString()).toBe('2031-06-15T10:00:00.000Z');
    expect(row.last_client_ip).toMatch(/^(::ffff:)?127\.0\.0\.1$|^::1$/);
    expect(row.last_user_agent).toBe('backup-script/1.0');
  });

  it('adds later flushes to the day, splits at midnight UTC, and keeps the newest client', async () => {
    const { id, key } = await createApiKey(t, owner, 'two days');
    const tracker = t.app.get(LastUsedTracker);
    for (let i = 0; i < 3; i++) await call(key, 'old-agent');
    await tracker.flush();
    for (let i = 0; i < 2; i++) await call(key, 'old-agent');
    clock.set(new Date('2031-06-16T00:00:01Z'));
    for (let i = 0; i < 4; i++) await call(key, 'new-agent');
    await tracker.flush();
    expect(await daysOf(id)).toEqual([
      { day: '2031-06-15', requests: 5 },
      { day: '2031-06-16', requests: 4 },
    ]);
    const [row] = await t.sql<{ last_user_agent: string }>(`SELECT last_user_agent FROM api_keys WHERE id = $1`, [id]);
    expect(row.last_user_agent).toBe('new-agent');
  });

  it('does not count refused requests', async () => {
    const { id, key } = await createApiKey(t, owner, 'refusals');
    await call(key);
    await request(t.http).get('/api/v1/me').set('x-api-key', anotherKeyLike(key)).expect(401);
    await t.app.get(LastUsedTracker).flush();
    expect(await daysOf(id)).toEqual([{ day: '2031-06-15', requests: 1 }]);
  });

  it('shows the figures, the last client and a 30-day SVG chart on the key\'s page', async () => {
    const { id, key } = await createApiKey(t, owner, 'charted');
    clock.set(new Date('2031-06-13T12:00:00Z'));
    for (let i = 0; i < 6; i++) await call(key);
    clock.set(new Date('2031-06-15T12:00:00Z'));
    for (let i = 0; i < 3; i++) await call(key, 'curl/8.5.0 <script>');
    await t.app.get(LastUsedTracker).flush();
    clock.set(new Date('2031-06-15T13:00:00Z'));

    const agent = await signIn(t, owner.email, owner.password);
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(page.text).toContain('data-usage-total="9"');
    expect(page.text).toContain('data-usage-today="3"');
    const bars = [...page.text.matchAll(/<rect class="bar"[^>]*data-day="([^"]+)" data-requests="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(bars).toHaveLength(30);
    expect(bars[0][0]).toBe('2031-05-17');
    expect(bars[29]).toEqual(['2031-06-15', 3]);
    expect(bars[27]).toEqual(['2031-06-13', 6]);
    expect(bars.reduce((sum, [, n]) => sum + (n as number), 0)).toBe(9);
    expect(page.text).toMatch(/<svg class="usage-chart"/);
    expect(page.text).toMatch(/<title>2031-06-13: 6 requests<\/title>/);
    expect(page.text).toMatch(/class="last-client">(::ffff:)?127\.0\.0\.1|class="last-client">::1/);
    // The user agent is the client's text: escaped like any other.
    expect(page.text).toContain('class="last-user-agent">curl/8.5.0 &lt;script&gt;');
    expect(page.text).not.toContain('curl/8.5.0 <script>');
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });

  it('drops days older than 30 from the chart', async () => {
    const { id, key } = await createApiKey(t, owner, 'old usage');
    await call(key);
    await t.app.get(LastUsedTracker).flush();
    clock.advance(30 * DAY);
    const agent = await signIn(t, owner.email, owner.password);
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(page.text).toContain('data-usage-total="0"');
  });
});
