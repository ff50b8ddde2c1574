import request from 'supertest';
import { KeyExpirySweeper } from '../src/api-keys/key-expiry.sweeper';
import { createManager, csrfFrom, signIn } from './support/factories';
import { controlClock, DAY, generateInDashboard, rollInDashboard } from './support/key-lifecycle';
import { ADMIN_EMAIL, startTestApp, type TestApp } from './support/test-app';

interface Entry {
  id: string;
  at: Date;
  action: string;
  actor_id: string | null;
  actor_email: string | null;
  client_ip: string | null;
  user_agent: string | null;
  subject_label: string;
  details: Record<string, unknown>;
}

const BROWSER = 'Mozilla/5.0 (audit-test)';
const LOCAL = /^(::ffff:)?127\.0\.0\.1$|^::1$/;

describe('Audit trail (e2e)', () => {
  let t: TestApp;
  let owner: Awaited<ReturnType<typeof createManager>>;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await createManager(t);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const entriesOf = (id: string) => t.sql<Entry>(`SELECT * FROM audit_events WHERE subject_id = $1 ORDER BY id`, [id]);

  it('records created, rolled, deactivated, expired and deleted, each with who, when and from where', async () => {
    const agent = await signIn(t, owner.email, owner.password);
    agent.set('User-Agent', BROWSER);
    const before = Date.now();
    const first = await generateInDashboard(agent, { name: 'Audited <key>', expiry: '30', scopes: ['files:read'] });
    const rolled = await rollInDashboard(agent, first.id, '24h');
    const second = (await request(t.http).get('/api/v1/me').set('x-api-key', rolled.key).expect(200)).body.keyId as string;
    const confirm = await agent.get(`/dashboard/api-keys/${second}/deactivate`).expect(200);
    await agent.post(`/dashboard/api-keys/${second}/deactivate`).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    const deletePage = await agent.get(`/dashboard/api-keys/${second}/delete`).expect(200);
    await agent.post(`/dashboard/api-keys/${second}/delete`).type('form').send({ _csrf: csrfFrom(deletePage.text) }).expect(303);
    const clock = controlClock(t);
    try {
      clock.advance(DAY + 1000); // the first key's grace ends
      await t.app.get(KeyExpirySweeper).sweep();
    } finally {
      clock.restore();
    }

    const firstEntries = await entriesOf(first.id);
    expect(firstEntries.map((e) => e.action)).toEqual(['api_key.created', 'api_key.rolled', 'api_key.expired']);
    const secondEntries = await entriesOf(second);
    expect(secondEntries.map((e) => e.action)).toEqual(['api_key.created', 'api_key.deactivated', 'api_key.deleted']);

    for (const entry of [...firstEntries.slice(0, 2), ...secondEntries]) {
      expect(entry).toMatchObject({ actor_id: owner.id, actor_email: owner.email, user_agent: BROWSER });
      expect(entry.client_ip).toMatch(LOCAL);
      expect(entry.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(entry.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    }
    expect(firstEntries[0].subject_label).toMatch(/^Audited <key> \(exstr_live_…[0-9a-f]{4}\)$/);
    expect(firstEntries[0].details).toMatchObject({ scopes: ['files:read'] });
    expect(firstEntries[1].details).toMatchObject({ grace: '24h', replacementId: second });
    expect(secondEntries[0].details).toMatchObject({ replaces: first.id });
    expect(firstEntries[2]).toMatchObject({ actor_id: null, actor_email: null, client_ip: null, details: { reason: 'grace-ended' } });
  });

  it('shows a key\'s entries on its page, escaped', async () => {
    const agent = await signIn(t, owner.email, owner.password);
    agent.set('User-Agent', 'agent <b>bold</b>');
    const { id } = await generateInDashboard(agent, { name: 'page <i>key</i>' });
    const page = await agent.get(`/dashboard/api-keys/${id}`).expect(200);
    const row = /<tr data-action="api_key.created">([\s\S]*?)<\/tr>/.exec(page.text)?.[1];
    expect(row).toContain('Created');
    expect(row).toContain(owner.email);
    expect(row).toContain('agent &lt;b&gt;bold&lt;/b&gt;');
    expect(row).toContain('never expires');
  });

  it('shows the whole trail to admins only, newest first, with older pages', async () => {
    const asOwner = await signIn(t, owner.email, owner.password);
    await generateInDashboard(asOwner, { name: 'Trail <key>' });
    await asOwner.get('/dashboard/audit').expect(403);
    const asAdmin = await signIn(t);
    const page = await asAdmin.get('/dashboard/audit').expect(200);
    expect(page.headers['cache-control']).toBe('no-store');
    const ids = [...page.text.matchAll(/<tr data-action="[^"]+" data-subject-id="([^"]+)">/g)].map((m) => m[1]);
    const [{ count }] = await t.sql<{ count: string }>(`SELECT count(*) FROM audit_events`);
    expect(ids).toHaveLength(Math.min(Number(count), 100));
    expect(page.text).toContain('Trail &lt;key&gt;');
    const [newest] = await t.sql<{ subject_id: string }>(`SELECT subject_id FROM audit_events ORDER BY id DESC LIMIT 1`);
    expect(ids[0]).toBe(newest.subject_id);
    expect(page.text).toContain('href="/dashboard/audit"');
    await asAdmin.get('/dashboard/audit?before=nope').expect(400);
    await asAdmin.get('/dashboard/audit?before=5&before=6').expect(400);
    const [{ id: oldest }] = await t.sql<{ id: string }>(`SELECT min(id)::text AS id FROM audit_events`);
    const older = await asAdmin.get(`/dashboard/audit?before=${Number(oldest) + 1}`).expect(200);
    expect([...older.text.matchAll(/<tr data-action=/g)]).toHaveLength(1);
  });

  it('lets the admin see who acted on a manager\'s key', async () => {
    const asAdmin = await signIn(t);
    const { id } = await generateInDashboard(asAdmin, { name: 'admin made' });
    const [entry] = await entriesOf(id);
    expect(entry.actor_email).toBe(ADMIN_EMAIL);
  });

  describe('is append-only in the database', () => {
    beforeAll(async () => {
      await generateInDashboard(await signIn(t, owner.email, owner.password), { name: 'append-only' });
    });

    it.each([
      ['UPDATE', `UPDATE audit_events SET actor_email = 'someone@else.example'`],
      ['DELETE', `DELETE FROM audit_events`],
      ['TRUNCATE', `TRUNCATE audit_events`],
    ])('refuses %s', async (op, sql) => {
      const [{ count: before }] = await t.sql<{ count: string }>(`SELECT count(*) FROM audit_events`);
      expect(Number(before)).toBeGreaterThan(0);
      await expect(t.sql(sql)).rejects.toThrow(`audit_events is append-only: ${op} is not allowed`);
      const [{ count: after }] = await t.sql<{ count: string }>(`SELECT count(*) FROM audit_events`);
      expect(after).toBe(before);
      const [{ changed }] = await t.sql<{ changed: string }>(`SELECT count(*) AS changed FROM audit_events WHERE actor_email = 'someone@else.example'`);
      expect(changed).toBe('0');
    });

    it('still takes new entries', async () => {
      await t.sql(
        `INSERT INTO audit_events (at, action, subject_type, subject_id, subject_label) VALUES (now(), 'test.insert', 'api_key', gen_random_uuid(), 'x')`,
      );
    });
  });
});
