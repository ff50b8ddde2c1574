import request from 'supertest';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { createApiKey, createManager, csrfFrom, signIn } from './support/factories';
import { controlClock, deactivateInDashboard, INVALID, rollInDashboard, rowOf, type TestClock } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

const HOUR = 3600_000;
describe('Rolling and deleting keys (e2e)', () => {
  let t: TestApp;
  let clock: TestClock;
  let owner: Awaited<ReturnType<typeof createManager>>;

  beforeAll(async () => {
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

  const me = (key: string) => request(t.http).get('/api/v1/me').set('x-api-key', key);

  it('offers the grace periods none, 1 h, 24 h and 7 days', async () => {
    const { id } = await createApiKey(t, owner, 'grace choices');
    const agent = await signIn(t, owner.email, owner.password);
    const page = await agent.get(`/dashboard/api-keys/${id}/roll`).expect(200);
    const options = [...page.text.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
    expect(options).toEqual(['none', '1h', '24h', '7d']);
  });

  it('without grace: the replacement works (same name, scopes, owner), the old key stops at once', async () => {
    const created = await t.app.get(ApiKeysService).generate(owner, 'Deploy bot', { scopes: ['files:read', 'files:delete'] });
    const old = { id: created.key.id, key: created.plaintext };
    await me(old.key).expect(200); // cached from here on
    const agent = await signIn(t, owner.email, owner.password);
    const rolled = await rollInDashboard(agent, old.id, 'none');
    expect(rolled.html).toMatch(/will not be shown again/);
    expect(rolled.html).toContain('The old key has stopped working.');

    expect((await me(old.key).expect(401)).body).toEqual(INVALID);
    const fresh = (await me(rolled.key).expect(200)).body;
    expect(fresh).toMatchObject({ name: 'Deploy bot', owner: { id: owner.id, email: owner.email }, scopes: ['files:read', 'files:delete'] });
    expect(fresh.keyId).not.toBe(old.id);

    const list = await agent.get('/dashboard/api-keys').expect(200);
    expect(list.text).not.toContain(rolled.key);
    expect(rowOf(list.text, old.id)).toContain('Inactive');
    expect(rowOf(list.text, fresh.keyId)).toContain('Active');
  });

  it('with grace: both keys work, the list shows both with the old one\'s deadline, then the old one stops', async () => {
    const old = await createApiKey(t, owner, 'Nightly backup');
    await me(old.key).expect(200);
    const agent = await signIn(t, owner.email, owner.password);
    const rolled = await rollInDashboard(agent, old.id, '1h');
    const fresh = (await me(rolled.key).expect(200)).body;
    await me(old.key).expect(200);
    const oldMe = (await me(old.key).expect(200)).body;
    expect(Date.parse(oldMe.expiresAt)).toBe(clock.now().getTime() + HOUR);

    const list = await agent.get('/dashboard/api-keys').expect(200);
    const oldRow = rowOf(list.text, old.id)!;
    expect(oldRow).toContain('Rolled');
    expect(oldRow).toMatch(/class="expires">stops <time[^>]*>in 1 hour<\/time>/);
    expect(oldRow).toContain(`href="/dashboard/api-keys/${fresh.keyId}"`);
    expect(rowOf(list.text, fresh.keyId)).toContain('Active');

    clock.advance(HOUR - 1000);
    await me(old.key).expect(200);
    clock.advance(1000);
    expect((await me(old.key).expect(401)).body).toEqual(INVALID);
    await me(rolled.key).expect(200);
    const after = rowOf((await agent.get('/dashboard/api-keys')).text, old.id)!;
    expect(after).toMatch(/class="expires">stopped <time/);
  });

  it('carries a key\'s lifetime over to its replacement, and keeps an earlier expiry than the grace', async () => {
    const created = await t.app.get(ApiKeysService).generate(owner, '30-day', { expiry: { kind: 'days', days: 30 } });
    clock.advance(29.99 * 24 * HOUR); // expires in ~15 minutes, sooner than a 7-day grace
    const agent = await signIn(t, owner.email, owner.password);
    const rolled = await rollInDashboard(agent, created.key.id, '7d');
    const fresh = (await me(rolled.key).expect(200)).body;
    expect(Date.parse(fresh.expiresAt)).toBe(clock.now().getTime() + 30 * 24 * HOUR);
    const old = (await me(created.plaintext).expect(200)).body;
    expect(old.expiresAt).toBe(created.key.expiresAt!.toISOString());
  });

  it('refuses to roll a key twice, or a deactivated one (409), and a bad grace (400)', async () => {
    const key = await createApiKey(t, owner, 'roll twice');
    const agent = await signIn(t, owner.email, owner.password);
    await rollInDashboard(agent, key.id, '24h');
    const page = await agent.get(`/dashboard/api-keys/${key.id}/roll`).expect(200);
    expect(page.text).not.toMatch(/<form method="post" action="[^"]+\/roll"/);
    await agent.post(`/dashboard/api-keys/${key.id}/roll`).type('form').send({ _csrf: csrfFrom(page.text), grace: '24h' }).expect(409);

    const other = await createApiKey(t, owner, 'deactivated first');
    await deactivateInDashboard(agent, other.id);
    await agent.post(`/dashboard/api-keys/${other.id}/roll`).type('form').send({ _csrf: csrfFrom(page.text), grace: 'none' }).expect(409);

    const third = await createApiKey(t, owner, 'bad grace');
    const bad = await agent.post(`/dashboard/api-keys/${third.id}/roll`).type('form').send({ _csrf: csrfFrom(page.text), grace: '2y' }).expect(400);
    expect(bad.text).toContain('Choose how long the old key keeps working');
    await agent.post(`/dashboard/api-keys/${third.id}/roll`).type('form').send({ grace: 'none' }).expect(403); // no CSRF token
    await me(third.key).expect(200);
  });

  it('lets only the owner or an admin roll a key', async () => {
    const stranger = await createManager(t);
    const key = await createApiKey(t, owner, 'not yours');
    const asStranger = await signIn(t, stranger.email, stranger.password);
    await asStranger.get(`/dashboard/api-keys/${key.id}/roll`).expect(404);
    const csrf = csrfFrom((await asStranger.get('/dashboard/api-keys')).text);
    await asStranger.post(`/dashboard/api-keys/${key.id}/roll`).type('form').send({ _csrf: csrf, grace: 'none' }).expect(404);
    await me(key.key).expect(200);
    const asAdmin = await signIn(t);
    const rolled = await rollInDashboard(asAdmin, key.id, 'none');
    expect((await me(rolled.key).expect(200)).body.owner.id).toBe(owner.id);
  });

  describe('deleting', () => {
    it('removes a deactivated key from the list; its audit entries stay', async () => {
      const key = await createApiKey(t, owner, 'to delete');
      const agent = await signIn(t, owner.email, owner.password);
      await deactivateInDashboard(agent, key.id);
      const confirm = await agent.get(`/dashboard/api-keys/${key.id}/delete`).expect(200);
      expect(confirm.text).toMatch(/audit entries are kept/);
      await agent
        .post(`/dashboard/api-keys/${key.id}/delete`)
        .type('form')
        .send({ _csrf: csrfFrom(confirm.text) })
        .expect(303)
        .expect('Location', '/dashboard/api-keys');
      const list = await agent.get('/dashboard/api-keys').expect(200);
      expect(list.text).not.toContain(`data-key-id="${key.id}"`);
      expect(list.text).toMatch(/is deleted/);
      await agent.get(`/dashboard/api-keys/${key.id}`).expect(404);
      expect(await t.sql(`SELECT 1 FROM api_keys WHERE id = $1`, [key.id])).toEqual([]);
      const actions = await t.sql<{ action: string }>(`SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id`, [key.id]);
      expect(actions.map((a) => a.action)).toEqual(['api_key.created', 'api_key.deactivated', 'api_key.deleted']);
      await me(key.key).expect(401);
    });

    it('refuses to delete a key that still works (409) and does not offer it', async () => {
      const key = await createApiKey(t, owner, 'still works');
      const agent = await signIn(t, owner.email, owner.password);
      expect(rowOf((await agent.get('/dashboard/api-keys')).text, key.id)).not.toContain('/delete"');
      const confirm = await agent.get(`/dashboard/api-keys/${key.id}/delete`).expect(200);
      expect(confirm.text).not.toMatch(/<form method="post" action="[^"]+\/delete"/);
      await agent.post(`/dashboard/api-keys/${key.id}/delete`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(409);
      await me(key.key).expect(200);
    });

    it('cannot reactivate a deactivated key: there is no such action', async () => {
      const key = await createApiKey(t, owner, 'no way back');
      const agent = await signIn(t, owner.email, owner.password);
      await deactivateInDashboard(agent, key.id);
      const page = await agent.get(`/dashboard/api-keys/${key.id}`).expect(200);
      expect(page.text).not.toMatch(/reactivate|activate"/i);
      await agent.post(`/dashboard/api-keys/${key.id}/reactivate`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
      await agent.post(`/dashboard/api-keys/${key.id}/activate`).type('form').send({ _csrf: csrfFrom(page.text) }).expect(404);
      await me(key.key).expect(401);
    });
  });
});
