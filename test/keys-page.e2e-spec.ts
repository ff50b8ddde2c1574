import { ApiKeysService } from '../src/api-keys';
import { adminActor, createApiKey, csrfFrom, signIn } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const formTokenIn = (html: string): string => /name="formToken" value="([^"]*)"/.exec(html)?.[1] ?? '';

/** The keys page as a manager meets it (issue: a manager's first hour, point 9). */
describe('Keys page layout (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('opens the form at once while there is no key, then leads with the list and keeps the form behind its button', async () => {
    const agent = await signIn(t);
    const empty = await agent.get('/dashboard/api-keys').expect(200);
    expect(empty.text).toMatch(/<details class="new-key-panel" open>/);

    await createApiKey(t, await adminActor(t), 'Listed key');
    const listed = await agent.get('/dashboard/api-keys').expect(200);
    expect(listed.text).toMatch(/<details class="new-key-panel">/);
    expect(listed.text).toMatch(/<summary class="button" data-open-form>Generate New Key<\/summary>/);
    expect(listed.text).toContain('<tr data-key-id=');
  });

  const refused = async (fields: Record<string, string>) => {
    const agent = await signIn(t);
    const page = await agent.get('/dashboard/api-keys').expect(200);
    return agent
      .post('/dashboard/api-keys')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), formToken: formTokenIn(page.text), scopesShown: '1', ...fields })
      .expect(400);
  };

  it('a refused form stays open with what was chosen, and each message sits at its field', async () => {
    const res = await refused({ name: 'Kept name', expiry: 'never', scopes: 'files:read', allowedNetworks: '10.0.0.0/33' });
    expect(res.text).toMatch(/<details class="new-key-panel" open>/);
    expect(res.text).toContain('value="Kept name"');
    expect(res.text).toMatch(/value="files:read" checked/);
    expect(res.text).not.toMatch(/value="files:write" checked/);
    expect(res.text).toContain('>10.0.0.0/33</textarea>');
    // The message about the networks follows their field.
    expect(res.text).toMatch(/id="key-networks"[^>]*>10\.0\.0\.0\/33<\/textarea>\s*<ul class="field-error" role="alert"><li>“10\.0\.0\.0\/33”/);

    const date = await refused({ name: 'Dated', expiry: 'date', expiresOn: '', scopes: 'files:read' });
    expect(date.text).toMatch(/<option value="date" selected>/);
    expect(date.text).toMatch(/name="expiresOn"[^>]*>\s*<\/label>\s*<\/div>\s*<p class="field-error" role="alert">/);
  });

  it('a replacement key links back to the key it replaced', async () => {
    const admin = await adminActor(t);
    const old = await createApiKey(t, admin, 'Rolled key');
    const rolled = await t.app.get(ApiKeysService).roll(admin, old.id, '24h');
    const agent = await signIn(t);
    const page = await agent.get(`/dashboard/api-keys/${rolled.key.id}`).expect(200);
    expect(page.text).toMatch(new RegExp(`<dd class="replaces" data-replaces="${old.id}"><a href="/dashboard/api-keys/${old.id}">Rolled key</a>`));
    const first = await agent.get(`/dashboard/api-keys/${old.id}`).expect(200);
    expect(first.text).not.toContain('class="replaces"');
    expect(first.text).toContain(`href="/dashboard/api-keys/${rolled.key.id}">see its replacement`);
  });
});
