import request from 'supertest';
import { adminActor, createApiKey, csrfFrom, signIn } from './support/factories';
import { KEY_PATTERN } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

const INVALID = { statusCode: 401, error: 'Unauthorized', message: 'Invalid or inactive API key' };
const UNKNOWN_KEY = 'exstr_live_0123456789abcdef0123456789abcdef';

const report = (t: TestApp, credentials: unknown, headers: Record<string, string> = {}) =>
  request(t.http).post('/api/v1/keys/revoke').set(headers).send({ credentials });

describe('Leaked-key reports (e2e)', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await startTestApp({ env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
    b = await startTestApp({ databaseUrl: a.databaseUrl, env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
  });
  afterAll(async () => {
    await b?.destroy();
    await a?.destroy();
  });

  it('needs no key: the listed active key stops at once on A and within a second on B, and is audited with the reporter', async () => {
    const { id, key } = await createApiKey(a, await adminActor(a), 'pasted in a gist');
    await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);

    const res = await report(a, [key, UNKNOWN_KEY, 'not a key at all'], { 'User-Agent': 'secret-scanner/2.1' }).expect(202);
    expect(res.body).toEqual({ received: 3 });

    expect((await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(401)).body).toEqual(INVALID);
    const elapsed = await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', key)).status === 401, 1000, 'B refuses');
    expect(elapsed).toBeLessThan(1000);

    const [entry] = await a.sql<{ client_ip: string; user_agent: string; actor_id: string | null }>(
      `SELECT client_ip, user_agent, actor_id FROM audit_events WHERE subject_id = $1 AND action = 'api_key.reported_leaked'`,
      [id],
    );
    expect(entry).toEqual({ client_ip: expect.stringMatching(/127\.0\.0\.1|::1/), user_agent: 'secret-scanner/2.1', actor_id: null });
  });

  it('flags the key on the owner\'s list and page until rolled; the roll is one click from the flag', async () => {
    const { id, key } = await createApiKey(a, await adminActor(a), 'leaked then rolled');
    await report(a, [key]).expect(202);
    const agent = await signIn(a);
    const list = await agent.get('/dashboard/api-keys').expect(200);
    const row = new RegExp(`<tr data-key-id="${id}"[\\s\\S]*?</tr>`).exec(list.text)?.[0] ?? '';
    expect(row).toContain('data-leak-reported');
    expect(row).toContain('Reported as leaked');
    expect((await agent.get(`/dashboard/api-keys/${id}`).expect(200)).text).toContain('data-leak-reported');

    const rolled = await agent.post(`/dashboard/api-keys/${id}/roll`).type('form').send({ _csrf: csrfFrom(list.text), grace: 'none' }).expect(201);
    const replacement = KEY_PATTERN.exec(rolled.text)?.[0];
    expect(replacement).toBeDefined();
    await request(a.http).get('/api/v1/me').set('x-api-key', replacement!).expect(200);
    await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(401);
    const after = await agent.get('/dashboard/api-keys').expect(200);
    expect(new RegExp(`<tr data-key-id="${id}"[\\s\\S]*?</tr>`).exec(after.text)?.[0]).not.toContain('data-leak-reported');
  });

  it('the flag can be dismissed; the key stays deactivated', async () => {
    const { id, key } = await createApiKey(a, await adminActor(a), 'leaked then dismissed');
    await report(a, [key]).expect(202);
    const agent = await signIn(a);
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    await agent.post(`/dashboard/api-keys/${id}/acknowledge-leak`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(303);
    expect((await agent.get(`/dashboard/api-keys/${id}`).expect(200)).text).not.toContain('data-leak-reported');
    await request(a.http).get('/api/v1/me').set('x-api-key', key).expect(401);
  });

  it('answers real, unknown and malformed keys identically (no oracle)', async () => {
    const { key } = await createApiKey(a, await adminActor(a), 'oracle probe');
    const answers = [];
    for (const entry of [key, UNKNOWN_KEY, 'exstr_live_nope', key /* already stopped */]) {
      const res = await report(a, [entry]).expect(202);
      const { date: _date, ...headers } = res.headers;
      answers.push({ body: res.body, headers });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
  });

  it('refuses malformed reports: empty, over 1,000 entries (400), over 64 KiB (413), not JSON (415)', async () => {
    expect((await report(a, []).expect(400)).body.message).toContain('at least one');
    expect((await report(a, Array.from({ length: 1001 }, () => 'x')).expect(400)).body.message).toBe('credentials may list at most 1000 keys');
    expect((await report(a, [1, 2]).expect(400)).body.message).toContain('must be a string');
    const big = await report(a, Array.from({ length: 900 }, () => `exstr_live_${'a'.repeat(70)}`)).expect(413);
    expect(big.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'Request body is too large' });
    await request(a.http).post('/api/v1/keys/revoke').type('form').send('credentials=x').expect(415);
  });

  it('serves security.txt (RFC 9116) and the finder\'s page, linked from the login page', async () => {
    const txt = await request(a.http).get('/.well-known/security.txt').expect(200).expect('Content-Type', /text\/plain/);
    expect(txt.text).toMatch(/^Contact: http:\/\/127\.0\.0\.1:\d+\/report-a-leaked-key$/m);
    const expires = /^Expires: (\S+)$/m.exec(txt.text)?.[1];
    expect(Date.parse(expires!)).toBeGreaterThan(Date.now());
    expect(Date.parse(expires!)).toBeLessThan(Date.now() + 366 * 24 * 3600_000);
    const page = await request(a.http).get('/report-a-leaked-key').expect(200).expect('Content-Type', /html/);
    expect(page.text).toContain('/api/v1/keys/revoke');
    expect(page.text).toContain('exstr_live_');
    expect((await request(a.http).get('/dashboard/login').expect(200)).text).toContain('href="/report-a-leaked-key"');
  });
});

describe('Leaked-key report throttling (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_LEAK_REPORTS_PER_HOUR: '3', EDS_SECURITY_CONTACT: 'mailto:security@example.com' } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('answers 429 with Retry-After past the hourly limit per address, bad reports counted too', async () => {
    await report(t, [UNKNOWN_KEY]).expect(202);
    await report(t, []).expect(400);
    await report(t, ['x']).expect(202);
    const limited = await report(t, [UNKNOWN_KEY]).expect(429);
    expect(limited.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^Too many leaked-key reports from this address; try again in \d+ seconds$/) });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
  });

  it('counts one address\'s reports across instances: two instances on one database give the limit, not twice it', async () => {
    const env = { EDS_LEAK_REPORTS_PER_HOUR: '4' };
    const first = await startTestApp({ env });
    const second = await startTestApp({ databaseUrl: first.databaseUrl, env });
    try {
      const answers: number[] = [];
      for (let i = 0; i < 8; i++) answers.push((await report(i % 2 === 0 ? first : second, [UNKNOWN_KEY])).status);
      expect(answers.filter((s) => s === 202)).toHaveLength(4);
      expect(answers.slice(4)).toEqual([429, 429, 429, 429]);
    } finally {
      await second.close();
      await first.destroy();
    }
  });

  it('names the configured contact in security.txt', async () => {
    const txt = await request(t.http).get('/.well-known/security.txt').expect(200);
    expect(txt.text).toMatch(/^Contact: mailto:security@example\.com$/m);
  });
});
