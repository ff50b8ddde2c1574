import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { adminActor, createApiKey, createManager, csrfFrom, csrfOn, signIn } from './support/factories';
import { controlClock, DAY, INVALID } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

describe('Accounts a team can run (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const post = async (agent: TestAgent, path: string, fields: Record<string, string> = {}, from = '/dashboard/managers') =>
    agent.post(path).type('form').send({ _csrf: await csrfOn(agent, from), ...fields });
  const actions = async (subjectId: string): Promise<string[]> =>
    (await t.sql<{ action: string }>(`SELECT action FROM audit_events WHERE subject_id = $1 ORDER BY id`, [subjectId])).map((r) => r.action);
  const signInAnswer = async (email: string, password: string) => {
    const agent = request.agent(t.http);
    const csrf = await csrfOn(agent, '/dashboard/login');
    return agent.post('/dashboard/login').type('form').send({ email, password, _csrf: csrf });
  };

  it('changes one\'s own password (current one required) and ends that manager\'s other sessions', async () => {
    const m = await createManager(t);
    const here = await signIn(t, m.email, m.password);
    const elsewhere = await signIn(t, m.email, m.password);

    const wrong = await post(here, '/dashboard/account/password', { currentPassword: 'not-it-at-all', newPassword: 'new-password-456' }, '/dashboard/account/password');
    expect(wrong.status).toBe(400);
    expect(wrong.text).toContain('The current password is not right');
    const short = await post(here, '/dashboard/account/password', { currentPassword: m.password, newPassword: 'short' }, '/dashboard/account/password');
    expect(short.status).toBe(400);
    expect(short.text).toContain('at least 12 characters');

    await post(here, '/dashboard/account/password', { currentPassword: m.password, newPassword: 'new-password-456' }, '/dashboard/account/password')
      .then((r) => expect(r.status).toBe(303));
    await here.get('/dashboard/api-keys').expect(200);
    await elsewhere.get('/dashboard/api-keys').expect(303).expect('Location', '/dashboard/login');
    expect((await signInAnswer(m.email, m.password)).status).toBe(401);
    expect((await signInAnswer(m.email, 'new-password-456')).status).toBe(303);
    expect(await actions(m.id)).toContain('manager.password_changed');
  });

  it('an admin disables a manager: sessions end at once, sign-in says disabled, keys answer 401; enabling brings them back', async () => {
    const m = await createManager(t);
    const { key } = await createApiKey(t, m);
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200); // cached now
    const theirs = await signIn(t, m.email, m.password);
    const admin = await signIn(t);

    const page = await admin.get('/dashboard/managers').expect(200);
    expect(page.text).toMatch(new RegExp(`<tr data-manager-id="${m.id}" data-state="active"`));
    expect((await post(admin, `/dashboard/managers/${m.id}/disable`)).status).toBe(303);

    await theirs.get('/dashboard/api-keys').expect(303).expect('Location', '/dashboard/login');
    const refused = await signInAnswer(m.email, m.password);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('This account is disabled');
    const wrongPassword = await signInAnswer(m.email, 'not-the-password');
    expect(wrongPassword.text).not.toContain('disabled'); // only someone with the password learns it
    const off = await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
    expect(off.body).toEqual(INVALID);
    expect((await admin.get('/dashboard/managers')).text).toMatch(new RegExp(`data-manager-id="${m.id}" data-state="disabled"`));

    expect((await post(admin, `/dashboard/managers/${m.id}/enable`)).status).toBe(303);
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(200);
    expect((await signInAnswer(m.email, m.password)).status).toBe(303);
    expect(await actions(m.id)).toEqual(expect.arrayContaining(['manager.disabled', 'manager.enabled', 'manager.signed_in', 'manager.sign_in_failed']));
  });

  it('a key looked up fresh (not cached) also sees its owner disabled', async () => {
    const m = await createManager(t);
    const { key } = await createApiKey(t, m);
    await t.sql(`UPDATE managers SET disabled_at = now() WHERE id = $1`, [m.id]);
    await t.app.get(ApiKeysService).forgetOwner(m.id);
    await request(t.http).get('/api/v1/me').set('x-api-key', key).expect(401);
  });

  it('changes roles, but never leaves zero active admins', async () => {
    const admin = await signIn(t);
    const me = await adminActor(t);
    const lastAdmin = await post(admin, `/dashboard/managers/${me.id}/role`, { role: 'manager' });
    expect(lastAdmin.status).toBe(303);
    expect((await admin.get('/dashboard/managers')).text).toContain('last active admin');
    expect((await t.sql<{ role: string }>(`SELECT role FROM managers WHERE id = $1`, [me.id]))[0].role).toBe('admin');
    const m = await createManager(t);
    await post(admin, `/dashboard/managers/${m.id}/role`, { role: 'admin' });
    expect((await t.sql<{ role: string }>(`SELECT role FROM managers WHERE id = $1`, [m.id]))[0].role).toBe('admin');
    // Two admins now: the new one can be demoted again, and one cannot disable oneself.
    await post(admin, `/dashboard/managers/${m.id}/role`, { role: 'manager' });
    expect((await t.sql<{ role: string }>(`SELECT role FROM managers WHERE id = $1`, [m.id]))[0].role).toBe('manager');
    await post(admin, `/dashboard/managers/${me.id}/disable`);
    expect((await t.sql<{ disabled_at: Date | null }>(`SELECT disabled_at FROM managers WHERE id = $1`, [me.id]))[0].disabled_at).toBeNull();
    expect(await actions(m.id)).toEqual(expect.arrayContaining(['manager.role_changed']));
  });

  it('issues a one-time reset link: it sets a new password once, ends sessions, and expires after 24 h', async () => {
    const m = await createManager(t);
    const theirs = await signIn(t, m.email, m.password);
    const admin = await signIn(t);
    const issued = await post(admin, `/dashboard/managers/${m.id}/reset`);
    expect(issued.status).toBe(201);
    expect(issued.headers['cache-control']).toBe('no-store');
    const linkIn = (html: string) => /\/dashboard\/reset\?token=[\w-]+/.exec(html.replaceAll('&#x3D;', '='))![0];
    const link = linkIn(issued.text);
    const token = link.split('token=')[1];
    const stored = await t.sql<{ dump: string }>(`SELECT row_to_json(m)::text AS dump FROM managers m WHERE id = $1`, [m.id]);
    expect(stored[0].dump).not.toContain(token);

    const anyone = request.agent(t.http);
    const page = await anyone.get(link).expect(200);
    expect(page.text).toContain(m.email);
    await anyone.post('/dashboard/reset').type('form').send({ _csrf: csrfFrom(page.text), token, newPassword: 'reset-password-789' }).expect(303);
    await theirs.get('/dashboard/api-keys').expect(303);
    expect((await signInAnswer(m.email, 'reset-password-789')).status).toBe(303);
    await request(t.http).get(link).expect(404); // single use

    const again = linkIn((await post(admin, `/dashboard/managers/${m.id}/reset`)).text);
    const clock = controlClock(t);
    try {
      clock.advance(DAY + 1000);
      await request(t.http).get(again).expect(404);
    } finally {
      clock.restore();
    }
    expect(await actions(m.id)).toEqual(expect.arrayContaining(['manager.reset_link_issued', 'manager.password_reset']));
  });

  it('the audit page filters by manager, action and key, and links key entries to the key', async () => {
    const m = await createManager(t);
    const { id: keyId } = await createApiKey(t, m, 'audited key');
    await t.app.get(ApiKeysService).deactivate(m, keyId);
    for (let i = 0; i < 3; i++) expect((await signInAnswer(m.email, `wrong-password-${i}`)).status).toBe(401);
    const admin = await signIn(t);
    const rowsOf = (html: string) => [...html.matchAll(/<tr data-action="([^"]+)" data-subject-id="([^"]+)"/g)].map((r) => [r[1], r[2]]);

    const theirs = await admin.get(`/dashboard/audit?manager=${m.id}`).expect(200);
    expect(rowsOf(theirs.text).length).toBeGreaterThanOrEqual(4);
    expect(rowsOf(theirs.text).every(([, subject]) => subject === m.id || subject === keyId)).toBe(true);
    expect(theirs.text).toContain(`href="/dashboard/api-keys/${keyId}"`);

    const failed = await admin.get(`/dashboard/audit?manager=${m.id}&action=manager.sign_in_failed`).expect(200);
    expect(rowsOf(failed.text).map(([a]) => a)).toEqual(['manager.sign_in_failed', 'manager.sign_in_failed', 'manager.sign_in_failed']);

    const keyOnly = await admin.get(`/dashboard/audit?key=${keyId}`).expect(200);
    expect(rowsOf(keyOnly.text).map(([a]) => a)).toEqual(['api_key.deactivated', 'api_key.created']);

    await admin.get('/dashboard/audit?action=nope').expect(400);
    await admin.get('/dashboard/audit?manager=not-a-uuid').expect(400);
  });

  it('only admins reach the manager actions', async () => {
    const m = await createManager(t);
    const agent = await signIn(t, m.email, m.password);
    const csrf = await csrfOn(agent, '/dashboard/api-keys');
    await agent.post(`/dashboard/managers/${m.id}/role`).type('form').send({ _csrf: csrf, role: 'admin' }).expect(403);
    expect((await t.sql<{ role: string }>(`SELECT role FROM managers WHERE id = $1`, [m.id]))[0].role).toBe('manager');
  });
});
