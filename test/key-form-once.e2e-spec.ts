import { csrfFrom, signIn } from './support/factories';
import { KEY_PATTERN } from './support/key-lifecycle';
import { startTestApp, type TestApp } from './support/test-app';

const formTokenFrom = (html: string): string => {
  const match = /name="formToken" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no formToken field on the page');
  return match[1];
};

describe('Generating and rolling keys is idempotent per rendered form (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const keysNamed = async (name: string): Promise<number> =>
    Number((await t.sql<{ n: string }>(`SELECT count(*) AS n FROM api_keys WHERE name = $1`, [name]))[0].n);

  it('a re-post of the same "Generate New Key" form (a reload) makes no second key and links to the first', async () => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const form = { _csrf: csrfFrom(page.text), formToken: formTokenFrom(page.text), name: 'reloaded once' };

    const first = await agent.post('/dashboard/api-keys').type('form').send(form).expect(201);
    const id = /data-key-id="([0-9a-f-]{36})"/.exec(first.text)![1];
    expect(first.text).toMatch(KEY_PATTERN);

    const again = await agent.post('/dashboard/api-keys').type('form').send(form).expect(409);
    expect(again.text).toContain('This key was already created and cannot be shown again.');
    expect(again.text).toContain(`href="/dashboard/api-keys/${id}"`);
    expect(again.text).not.toMatch(KEY_PATTERN);
    expect(again.headers['cache-control']).toBe('no-store');
    expect(await keysNamed('reloaded once')).toBe(1);

    // The session keeps the token and the key's id, never the key.
    const sessions = await t.sql<{ dump: string }>(`SELECT coalesce(json_agg(s), '[]')::text AS dump FROM dashboard_sessions s`);
    expect(sessions[0].dump).toContain(id);
    expect(sessions[0].dump).not.toMatch(KEY_PATTERN);
  });

  it('two posts of one form at the same moment (a double click) still make one key', async () => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const form = { _csrf: csrfFrom(page.text), formToken: formTokenFrom(page.text), name: 'double click' };
    const answers = await Promise.all([
      agent.post('/dashboard/api-keys').type('form').send(form),
      agent.post('/dashboard/api-keys').type('form').send(form),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await keysNamed('double click')).toBe(1);
  });

  it('each rendering of the form makes its own key; a failed post leaves the form usable', async () => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const token = formTokenFrom(page.text);
    const refused = await agent.post('/dashboard/api-keys').type('form').send({ _csrf: csrfFrom(page.text), formToken: token, name: '' }).expect(400);
    expect(formTokenFrom(refused.text)).not.toBe(token);
    await agent.post('/dashboard/api-keys').type('form').send({ _csrf: csrfFrom(page.text), formToken: token, name: 'twice rendered' }).expect(201);
    const second = await agent.get('/dashboard/api-keys').expect(200);
    await agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrfFrom(second.text), formToken: formTokenFrom(second.text), name: 'twice rendered' })
      .expect(201);
    expect(await keysNamed('twice rendered')).toBe(2);
  });

  it('a token this session never issued creates nothing and says the form is out of date', async () => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const res = await agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), formToken: 'not-issued', name: 'stale form' })
      .expect(400);
    expect(res.text).toContain('This form is out of date');
    expect(await keysNamed('stale form')).toBe(0);
  });

  it('a re-post of the roll form makes no second replacement', async () => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    const created = await agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), formToken: formTokenFrom(page.text), name: 'to roll once' })
      .expect(201);
    const id = /data-key-id="([0-9a-f-]{36})"/.exec(created.text)![1];
    const rollPage = await agent.get(`/dashboard/api-keys/${id}/roll`).expect(200);
    const form = { _csrf: csrfFrom(rollPage.text), formToken: formTokenFrom(rollPage.text), grace: '1h' };
    const rolled = await agent.post(`/dashboard/api-keys/${id}/roll`).type('form').send(form).expect(201);
    const replacement = /data-key-id="([0-9a-f-]{36})"/.exec(rolled.text)![1];
    const again = await agent.post(`/dashboard/api-keys/${id}/roll`).type('form').send(form).expect(409);
    expect(again.text).toContain('This key was already created and cannot be shown again.');
    expect(again.text).toContain(`href="/dashboard/api-keys/${replacement}"`);
    expect(again.text).not.toMatch(KEY_PATTERN);
    expect(await keysNamed('to roll once')).toBe(2);
  });
});
