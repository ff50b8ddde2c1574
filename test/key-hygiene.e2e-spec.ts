import request from 'supertest';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { createApiKey, createManager, csrfFrom, signIn } from './support/factories';
import { DAY, rollInDashboard, rowOf } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

type Flag = 'never-used' | 'unused' | 'old' | 'expiring';
const flagsIn = (row: string | undefined): string[] => [...(row ?? '').matchAll(/<li data-flag="([^"]+)">/g)].map((m) => m[1]);

describe('Key hygiene (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** A manager of their own (so the summary counts only this test's keys) and keys in known states. */
  async function fixture() {
    const owner = await createManager(t);
    const backdate = (id: string, column: 'created_at' | 'last_used_at', days: number) =>
      t.sql(`UPDATE api_keys SET ${column} = now() - make_interval(days => $2) WHERE id = $1`, [id, days]);
    const neverUsed = await createApiKey(t, owner, 'never used');
    await backdate(neverUsed.id, 'created_at', 8);
    const young = await createApiKey(t, owner, 'young, unused');
    await backdate(young.id, 'created_at', 6);
    const unused = await createApiKey(t, owner, 'unused');
    await backdate(unused.id, 'created_at', 40);
    await backdate(unused.id, 'last_used_at', 31);
    const old = await createApiKey(t, owner, 'old');
    await backdate(old.id, 'created_at', 91);
    await backdate(old.id, 'last_used_at', 0);
    // A 30-day key with 5 days left.
    const expiring = await t.app.get(ApiKeysService).generate(owner, 'expiring', { expiry: { kind: 'days', days: 30 } });
    await t.sql(
      `UPDATE api_keys SET last_used_at = now(), created_at = now() - interval '25 days', expires_at = now() + interval '5 days' WHERE id = $1`,
      [expiring.key.id],
    );
    // Made to live 7 days: short by choice, not flagged as expiring.
    const shortLived = await t.app.get(ApiKeysService).generate(owner, 'short by choice', { expiry: { kind: 'days', days: 7 } });
    await t.sql(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [shortLived.key.id]);
    const later = await t.app.get(ApiKeysService).generate(owner, 'expires later', { expiry: { kind: 'days', days: 30 } });
    await t.sql(`UPDATE api_keys SET last_used_at = now() WHERE id = $1`, [later.key.id]);
    const healthy = await createApiKey(t, owner, 'healthy');
    await backdate(healthy.id, 'last_used_at', 1);
    return {
      owner,
      keys: {
        neverUsed,
        young,
        unused,
        old,
        expiring: { id: expiring.key.id, key: expiring.plaintext },
        shortLived: { id: shortLived.key.id },
        later: { id: later.key.id },
        healthy,
      },
    };
  }

  it('flags each kind of key, and only those, with its one-click action', async () => {
    const { owner, keys } = await fixture();
    const agent = await signIn(t, owner.email, owner.password);
    const page = (await agent.get('/dashboard/api-keys').expect(200)).text;
    const expected: Array<[keyof typeof keys, Flag[]]> = [
      ['neverUsed', ['never-used']],
      ['young', []],
      ['unused', ['unused']],
      ['old', ['old']],
      ['expiring', ['expiring']],
      ['shortLived', []],
      ['later', []],
      ['healthy', []],
    ];
    for (const [name, flags] of expected) {
      expect({ name, flags: flagsIn(rowOf(page, keys[name].id)) }).toEqual({ name, flags });
    }
    expect(rowOf(page, keys.neverUsed.id)).toMatch(/Never used in 7 days[\s\S]*?href="\/dashboard\/api-keys\/[^"]+\/deactivate" data-action="deactivate"/);
    expect(rowOf(page, keys.unused.id)).toMatch(/Unused for 30 days[\s\S]*?data-action="deactivate"/);
    expect(rowOf(page, keys.old.id)).toMatch(/Older than 90 days[\s\S]*?href="\/dashboard\/api-keys\/[^"]+\/roll" data-action="roll"/);
    expect(rowOf(page, keys.expiring.id)).toMatch(/Expires within 7 days[\s\S]*?data-action="roll"/);
  });

  it('counts them in a summary at the top of the page', async () => {
    const { owner } = await fixture();
    const agent = await signIn(t, owner.email, owner.password);
    const page = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(page.indexOf('data-hygiene-summary')).toBeLessThan(page.indexOf('<table class="keys">'));
    expect(page).toMatch(/data-hygiene-summary data-attention="4"/);
    expect(page).toContain('4 keys need attention');
    const count = (flag: Flag) => new RegExp(`<li data-flag="${flag}"[^>]*><strong class="count">(\\d+)</strong>`).exec(page)?.[1];
    expect([count('never-used'), count('unused'), count('old'), count('expiring')]).toEqual(['1', '1', '1', '1']);
  });

  it('acts: deactivating a flagged key takes it off the summary, and the key stops', async () => {
    const { owner, keys } = await fixture();
    const agent = await signIn(t, owner.email, owner.password);
    const list = (await agent.get('/dashboard/api-keys').expect(200)).text;
    const href = /href="([^"]+)" data-action="deactivate"/.exec(rowOf(list, keys.neverUsed.id)!)![1];
    const confirm = await agent.get(href).expect(200);
    await agent.post(href).type('form').send({ _csrf: csrfFrom(confirm.text) }).expect(303);
    await request(t.http).get('/api/v1/me').set('x-api-key', keys.neverUsed.key).expect(401);
    const after = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(flagsIn(rowOf(after, keys.neverUsed.id))).toEqual([]);
    expect(after).toMatch(/data-attention="3"/);
  });

  it('acts: rolling an old key leaves a fresh replacement and no flag', async () => {
    const { owner, keys } = await fixture();
    const agent = await signIn(t, owner.email, owner.password);
    const list = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(/href="([^"]+)" data-action="roll"/.exec(rowOf(list, keys.old.id)!)![1]).toBe(`/dashboard/api-keys/${keys.old.id}/roll`);
    const rolled = await rollInDashboard(agent, keys.old.id, '7d');
    const fresh = (await request(t.http).get('/api/v1/me').set('x-api-key', rolled.key).expect(200)).body.keyId as string;
    const after = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(flagsIn(rowOf(after, keys.old.id))).toEqual([]);
    expect(rowOf(after, keys.old.id)).toContain('Rolled');
    expect(flagsIn(rowOf(after, fresh))).toEqual([]);
    expect(after).toMatch(/data-attention="3"/);
  });

  it('acts: rolling an expiring key gives the replacement a whole new lifetime (30 days again)', async () => {
    const { owner, keys } = await fixture();
    const agent = await signIn(t, owner.email, owner.password);
    const rolled = await rollInDashboard(agent, keys.expiring.id, 'none');
    const fresh = (await request(t.http).get('/api/v1/me').set('x-api-key', rolled.key).expect(200)).body;
    expect(Math.abs(Date.parse(fresh.expiresAt) - Date.now() - 30 * DAY)).toBeLessThan(120_000);
    const after = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(flagsIn(rowOf(after, fresh.keyId))).toEqual([]);
  });

  it('says so when every key is healthy', async () => {
    const owner = await createManager(t);
    await createApiKey(t, owner, 'fresh');
    const agent = await signIn(t, owner.email, owner.password);
    const page = (await agent.get('/dashboard/api-keys').expect(200)).text;
    expect(page).toContain('All keys look healthy');
    expect(page).toMatch(/data-attention="0"/);
  });
});

describe('Key hygiene thresholds from configuration (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_KEY_NEVER_USED_DAYS: '2', EDS_KEY_MAX_AGE_DAYS: '10' } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('flags by the configured days, not the defaults', async () => {
    const owner = await createManager(t);
    const neverUsed = await createApiKey(t, owner, 'three days, never used');
    await t.sql(`UPDATE api_keys SET created_at = now() - interval '3 days' WHERE id = $1`, [neverUsed.id]);
    const old = await createApiKey(t, owner, 'eleven days old');
    await t.sql(`UPDATE api_keys SET created_at = now() - interval '11 days', last_used_at = now() WHERE id = $1`, [old.id]);
    const agent = await signIn(t, owner.email, owner.password);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    expect(flagsIn(rowOf(page.text, neverUsed.id))).toEqual(['never-used']);
    expect(flagsIn(rowOf(page.text, old.id))).toEqual(['old']);
  });
});
