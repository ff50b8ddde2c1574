import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { ApiKeyRepository } from '../src/api-keys/api-key.repository';
import { RefusalTracker } from '../src/api-keys/refusal.tracker';
import { csrfFrom, signIn } from './support/factories';
import { generateInDashboard } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';
import { until } from './support/wait';

const NOT_ALLOWED = { statusCode: 403, error: 'Forbidden', message: 'API key not allowed from this address' };

/** Listens on `::` (dual stack) so the same app answers 127.0.0.1 and ::1; answers the port. */
async function listenDualStack(t: TestApp): Promise<number> {
  if (!t.http.listening) await new Promise<void>((resolve) => t.http.listen(0, '::', resolve));
  return (t.http.address() as AddressInfo).port;
}

const me = (port: number, host: string, key: string): Promise<Response> =>
  fetch(`http://${host}:${port}/api/v1/me`, { headers: { 'x-api-key': key } });

describe('Allowed networks (e2e)', () => {
  let a: TestApp;
  let b: TestApp;
  let portA: number;

  beforeAll(async () => {
    a = await startTestApp({ env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
    b = await startTestApp({ databaseUrl: a.databaseUrl, env: { EDS_KEY_CACHE_TTL_MS: '300000' } });
    portA = await listenDualStack(a);
  });
  afterAll(async () => {
    await b?.destroy();
    await a?.destroy();
  });

  it('admits IPv4 inside the list and refuses IPv6 outside it with the exact 403, on the memory path too', async () => {
    const agent = await signIn(a);
    const { key } = await generateInDashboard(agent, { name: 'loopback v4 only', allowedNetworks: '127.0.0.0/8' });
    expect((await me(portA, '127.0.0.1', key)).status).toBe(200);
    const lookups = jest.spyOn(a.app.get(ApiKeyRepository), 'findActiveByHash');
    try {
      // The key is cached now: both answers come from memory.
      expect((await me(portA, '127.0.0.1', key)).status).toBe(200);
      const refused = await me(portA, '[::1]', key);
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual(NOT_ALLOWED);
      expect(lookups).not.toHaveBeenCalled();
    } finally {
      lookups.mockRestore();
    }
  });

  it('admits IPv6 ranges (::1) and refuses IPv4 clients outside them', async () => {
    const agent = await signIn(a);
    const { key } = await generateInDashboard(agent, { name: 'loopback v6 only', allowedNetworks: '::1/128\n2001:db8::/32' });
    expect((await me(portA, '[::1]', key)).status).toBe(200);
    const refused = await me(portA, '127.0.0.1', key);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual(NOT_ALLOWED);
  });

  it('names every bad entry on the generate form and creates nothing', async () => {
    const agent = await signIn(a);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const res = await agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: 'bad nets', allowedNetworks: '10.0.0.0/33\noffice\n192.0.2.0/24' })
      .expect(400);
    expect(res.text).toContain('“10.0.0.0/33”: the prefix length must be 0 to 32');
    expect(res.text).toContain('“office”: not an IPv4 or IPv6 address or CIDR range');
    expect(res.text).not.toMatch(/exstr_live_[0-9a-f]{32}/);
    expect(await a.sql(`SELECT 1 FROM api_keys WHERE name = 'bad nets'`)).toHaveLength(0);
  });

  it('shows the refused address and time on the key page and counts refusals in usage', async () => {
    const agent = await signIn(a);
    const { id, key } = await generateInDashboard(agent, { name: 'office only', allowedNetworks: '198.51.100.0/24' });
    expect((await me(portA, '127.0.0.1', key)).status).toBe(403);
    expect((await me(portA, '[::1]', key)).status).toBe(403);
    await a.app.get(RefusalTracker).flush();
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(page.text).toMatch(/<span class="refused-ip">::1<\/span> <time datetime=/);
    expect(page.text).toContain('data-usage-refused="2"');
    expect(page.text).toContain('<code class="network">198.51.100.0/24</code>');
  });

  it('a list change made on A reaches B within a second (the revocation notice)', async () => {
    const agent = await signIn(a);
    const { id, key } = await generateInDashboard(agent, { name: 'moving office' });
    await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    await agent
      .post(`/dashboard/api-keys/${id}/networks`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), allowedNetworks: '10.0.0.0/8' })
      .expect(303)
      .expect('Location', `/dashboard/api-keys/${id}`);
    const elapsed = await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', key)).status === 403, 1000, 'B refuses');
    expect(elapsed).toBeLessThan(1000);
    const refused = await request(b.http).get('/api/v1/me').set('x-api-key', key).expect(403);
    expect(refused.body).toEqual(NOT_ALLOWED);
    // And back: empty means anywhere.
    const again = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    expect(again.text).toContain('<code class="network">10.0.0.0/8</code>');
    await agent.post(`/dashboard/api-keys/${id}/networks`).type('form').send({ _csrf: csrfFrom(again.text), allowedNetworks: '' }).expect(303);
    await until(async () => (await request(b.http).get('/api/v1/me').set('x-api-key', key)).status === 200, 1000, 'B admits again');
  });

  it('refuses a bad list on the key page with a message per entry, keeping the old list', async () => {
    const agent = await signIn(a);
    const { id, key } = await generateInDashboard(agent, { name: 'keeps its list', allowedNetworks: '127.0.0.1' });
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    const res = await agent
      .post(`/dashboard/api-keys/${id}/networks`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), allowedNetworks: '127.0.0.1\n2001:db8::/200' })
      .expect(400);
    expect(res.text).toContain('“2001:db8::/200”: the prefix length must be 0 to 128');
    expect((await me(portA, '127.0.0.1', key)).status).toBe(200);
  });
});

describe('Allowed networks behind a proxy (EDS_TRUST_PROXY) (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_TRUST_PROXY: 'true' } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('judges the client address from X-Forwarded-For', async () => {
    const agent = await signIn(t);
    const { key } = await generateInDashboard(agent, { name: 'behind proxy', allowedNetworks: '203.0.113.0/24\n2001:db8::/32' });
    await request(t.http).get('/api/v1/me').set('x-api-key', key).set('X-Forwarded-For', '203.0.113.9').expect(200);
    await request(t.http).get('/api/v1/me').set('x-api-key', key).set('X-Forwarded-For', '2001:db8::7').expect(200);
    const refused = await request(t.http).get('/api/v1/me').set('x-api-key', key).set('X-Forwarded-For', '198.51.100.1').expect(403);
    expect(refused.body).toEqual(NOT_ALLOWED);
    // Without the header the proxy itself (loopback) is the client: outside the list.
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(403);
  });
});
