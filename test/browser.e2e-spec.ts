import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManagersService } from '../src/managers/managers.service';
import { adminActor, createApiKey } from './support/factories';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';

/**
 * The dashboard as a user drives it, in Debian's headless Chromium: sign in, generate a key,
 * copy it with the button, use it, deactivate it through the confirmation step, all under the
 * real CSP. No browser download works here, so the system Chromium is required (.ci/run
 * installs it); without it the spec fails on CI and is skipped, loudly, elsewhere.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const KEY_PATTERN = /^exstr_live_[0-9a-f]{32}$/;

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) {
  console.warn(`browser.e2e-spec skipped: ${CHROMIUM} is missing. Install it with \`apt-get install -y chromium\`.`);
}
const describeInBrowser = haveChromium || process.env.CI ? describe : describe.skip;

interface CspViolation {
  directive: string;
  blockedURI: string;
  sourceFile: string;
  page: string;
}

describeInBrowser('Dashboard in a real browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let shots: string;
  let keepShots = Boolean(process.env.EDS_SCREENSHOT_DIR);
  let step = 0;
  const violations: CspViolation[] = [];
  const consoleProblems: string[] = [];

  const screenshot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    if (!haveChromium) {
      throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium, see .ci/run).`);
    }
    shots = process.env.EDS_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'eds-browser-')));
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('the app is not listening on a TCP port');
    // 127.0.0.1 is a secure context, so the Clipboard API is available over plain http.
    origin = `http://127.0.0.1:${address.port}`;

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ baseURL: origin, viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    // Both channels: the DOM event (with the directive) and Chromium's console report.
    await context.exposeBinding('reportCspViolation', (source, violation: Omit<CspViolation, 'page'>) => {
      violations.push({ ...violation, page: source.page.url() });
    });
    // Browser-side code is passed as source text: this project compiles without the DOM typings.
    await context.addInitScript(`
      document.addEventListener('securitypolicyviolation', (event) => {
        window.reportCspViolation({ directive: event.violatedDirective, blockedURI: event.blockedURI, sourceFile: event.sourceFile });
      });
    `);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || /Content.Security.Policy/i.test(message.text())) {
        consoleProblems.push(`${page.url()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => consoleProblems.push(`${page.url()}: ${error.message}`));
    page.on('response', (response) => {
      if (response.status() >= 400) consoleProblems.push(`${response.status()} for ${response.url()}`);
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
    if (keepShots) console.warn(`browser.e2e-spec screenshots: ${shots}`);
    else if (shots) await rm(shots, { recursive: true, force: true });
  });

  it('signs in, generates and copies a key, uses it, deactivates it after confirming, under the CSP', async () => {
    keepShots = true; // until the flow has passed: the screenshots tell what the browser saw.

    await page.goto('/dashboard/api-keys');
    await expectPath(page, '/dashboard/login');
    await screenshot('login');
    await page.getByLabel('Email').fill(ADMIN_EMAIL);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectPath(page, '/dashboard/api-keys');
    await expect(page.getByRole('heading', { name: 'API keys' }).isVisible()).resolves.toBe(true);
    await screenshot('api-keys-empty');

    await page.locator('#key-name').fill('Nightly backup on db-01');
    await page.getByRole('button', { name: 'Generate New Key' }).click();
    await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
    await expect(page.getByText('It will not be shown again').isVisible()).resolves.toBe(true);
    const shown = (await page.locator('#new-key').textContent())?.trim() ?? '';
    expect(shown).toMatch(KEY_PATTERN);
    await screenshot('key-created');

    await page.getByRole('button', { name: 'Copy' }).click();
    await page.getByText('Copied to the clipboard.').waitFor();
    await expect(page.evaluate<string>('navigator.clipboard.readText()')).resolves.toBe(shown);
    await screenshot('key-copied');

    const me = await fetch(`${origin}/api/v1/me`, { headers: { 'x-api-key': shown } });
    expect(me.status).toBe(200);
    const identity = (await me.json()) as { keyId: string; name: string; owner: { email: string } };
    expect(identity).toMatchObject({ name: 'Nightly backup on db-01', owner: { email: ADMIN_EMAIL } });

    await page.getByRole('link', { name: /back to my keys/ }).click();
    await expectPath(page, '/dashboard/api-keys');
    const row = page.locator(`tr[data-key-id="${identity.keyId}"]`);
    await expect(row.textContent()).resolves.toContain(`exstr_live_…${shown.slice(-4)}`);
    await expect(page.content()).resolves.not.toContain(shown);
    await screenshot('api-keys-listed');

    await row.getByRole('link', { name: 'Deactivate' }).click();
    await expectPath(page, `/dashboard/api-keys/${identity.keyId}/deactivate`);
    await expect(page.getByText('This cannot be undone.').isVisible()).resolves.toBe(true);
    await screenshot('confirm-deactivate');
    await page.getByRole('button', { name: 'Deactivate key' }).click();
    await expectPath(page, '/dashboard/api-keys');
    await expect(page.getByRole('status').textContent()).resolves.toMatch(/is deactivated/);
    await expect(row.locator('.badge').textContent()).resolves.toBe('Inactive');
    await expect(row.getByRole('link', { name: 'Deactivate' }).count()).resolves.toBe(0);
    await screenshot('deactivated');

    const after = await fetch(`${origin}/api/v1/me`, { headers: { 'x-api-key': shown } });
    expect(after.status).toBe(401);
    await expect(after.json()).resolves.toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      message: 'Invalid or inactive API key',
    });

    expect(violations).toEqual([]);
    expect(consoleProblems).toEqual([]);
    keepShots = Boolean(process.env.EDS_SCREENSHOT_DIR);
  }, 60_000);

  it('reloading the page that shows a new key (a re-post) makes no second key and says so', async () => {
    await page.goto('/dashboard/api-keys');
    // The list leads; with keys already there, the form opens from its button.
    await expect(page.locator('#key-name').isVisible()).resolves.toBe(false);
    await page.locator('[data-open-form]').click();
    await page.locator('#key-name').fill('Reloaded in the browser');
    await page.getByRole('button', { name: 'Generate New Key' }).click();
    await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
    const before = consoleProblems.length;
    await page.reload();
    await page.getByText('This key was already created and cannot be shown again.').waitFor();
    await expect(page.content()).resolves.not.toMatch(/exstr_live_[0-9a-f]{32}/);
    await screenshot('key-reloaded');
    // The 409 of the re-post is the answer expected here.
    const seen = consoleProblems.splice(before);
    expect(seen).toContainEqual(expect.stringMatching(/^409 for /));
    expect(seen.filter((line) => !/409/.test(line))).toEqual([]);
    const [{ n }] = await t.sql<{ n: string }>(`SELECT count(*) AS n FROM api_keys WHERE name = 'Reloaded in the browser'`);
    expect(Number(n)).toBe(1);
    await page.getByRole('link', { name: 'Open the key' }).click();
    await page.getByRole('heading', { name: 'Reloaded in the browser' }).waitFor();
  }, 60_000);

  it('Swagger UI: Authorize with a key, then Try it out on GET /api/v1/me answers 200, under the CSP', async () => {
    const { key } = await createApiKey(t, await adminActor(t), 'swagger try-out');
    const before = violations.length;
    await page.goto('/api/docs');
    await page.locator('.swagger-ui .info .title').waitFor();
    await page.locator('.auth-wrapper button.authorize').click();
    await page.locator('.modal-ux input[type=text]').fill(key);
    await page.locator('.modal-ux .auth-btn-wrapper button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();
    await page.locator('#operations-Identity-getMe .opblock-summary').click();
    await page.locator('#operations-Identity-getMe .try-out__btn').click();
    await page.locator('#operations-Identity-getMe button.execute').click();
    const status = page.locator('#operations-Identity-getMe .live-responses-table tbody td.response-col_status').first();
    await status.waitFor();
    await expect(status.textContent()).resolves.toMatch(/^\s*200/);
    const body = await page.locator('#operations-Identity-getMe .live-responses-table tbody td.response-col_description pre').first().textContent();
    expect(JSON.parse(body ?? '{}')).toMatchObject({ name: 'swagger try-out', owner: { email: ADMIN_EMAIL } });
    await screenshot('swagger-try-it-out');
    expect(violations.slice(before)).toEqual([]);
  }, 60_000);

  it('would have seen a CSP violation: an inline script on a dashboard page is reported', async () => {
    // Guards the listener above against silently hearing nothing.
    const before = violations.length;
    await page.goto('/dashboard/login');
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'window.inlineScriptRan = true;';
      document.body.append(script);
    }`);
    await waitFor(() => violations.length > before);
    expect(violations.at(-1)).toMatchObject({ directive: expect.stringMatching(/^script-src/) });
    await expect(page.evaluate<boolean>('window.inlineScriptRan === true')).resolves.toBe(false);
    violations.splice(before);
    consoleProblems.length = 0;
  });

  it('at 390 px every dashboard page fits the width: no horizontal scroll (tables scroll inside their card)', async () => {
    const { id } = await createApiKey(t, await adminActor(t), 'A narrow-screen key with a fairly long name for its row');
    const narrow = await browser.newContext({ baseURL: origin, viewport: { width: 390, height: 844 } });
    try {
      const tab = await narrow.newPage();
      await tab.goto('/dashboard/login');
      const overflow = async (path: string): Promise<string | null> => {
        await tab.goto(path);
        const [scroll, client] = await tab.evaluate<[number, number]>('[document.documentElement.scrollWidth, document.documentElement.clientWidth]');
        await tab.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-390${path.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
        return scroll > client ? `${path}: ${scroll} px wide in ${client}` : null;
      };
      const problems = [await overflow('/dashboard/login')];
      await tab.getByLabel('Email').fill(ADMIN_EMAIL);
      await tab.getByLabel('Password').fill(ADMIN_PASSWORD);
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await expectPath(tab, '/dashboard/api-keys');
      for (const path of [
        '/dashboard/api-keys',
        `/dashboard/api-keys/${id}`,
        `/dashboard/api-keys/${id}/roll`,
        `/dashboard/api-keys/${id}/deactivate`,
        `/dashboard/api-keys/${id}/delete`,
        '/dashboard/managers',
        '/dashboard/audit',
        '/dashboard/account/password',
        '/dashboard/no-such-page',
      ]) {
        problems.push(await overflow(path));
      }
      expect(problems.filter(Boolean)).toEqual([]);
    } finally {
      await narrow.close();
    }
  }, 90_000);

  it('a manager gets a reset link from the admin, sets a password with it, then changes it on the password page', async () => {
    const m = await t.app.get(ManagersService).create('browser-reset@example.com', 'first-password-123', 'manager');
    await page.goto('/dashboard/login');
    if (new URL(page.url()).pathname === '/dashboard/login') {
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expectPath(page, '/dashboard/api-keys');
    }
    await page.goto('/dashboard/managers');
    await page.locator(`tr[data-manager-id="${m.id}"]`).getByRole('button', { name: 'Reset link' }).click();
    const link = ((await page.locator('#reset-link').textContent()) ?? '').trim();
    expect(link).toMatch(/\/dashboard\/reset\?token=[\w-]+$/);
    await screenshot('reset-link');

    // The manager, in their own browser.
    const theirs = await browser.newContext({ baseURL: origin, viewport: { width: 390, height: 844 } });
    try {
      const tab = await theirs.newPage();
      await tab.goto(new URL(link).pathname + new URL(link).search);
      await tab.getByLabel(/New password/).fill('reset-password-456');
      await tab.getByRole('button', { name: 'Set password' }).click();
      await expectPath(tab, '/dashboard/login');
      await tab.getByRole('status').waitFor();
      await tab.getByLabel('Email').fill('browser-reset@example.com');
      await tab.getByLabel('Password').fill('reset-password-456');
      await tab.getByRole('button', { name: 'Sign in' }).click();
      await expectPath(tab, '/dashboard/api-keys');

      await tab.goto('/dashboard/account/password');
      await tab.getByLabel('Current password').fill('reset-password-456');
      await tab.getByLabel(/New password/).fill('changed-password-789');
      await tab.getByRole('button', { name: 'Change password' }).click();
      await expectPath(tab, '/dashboard/api-keys');
      await expect(tab.getByRole('status').textContent()).resolves.toMatch(/password is changed/);
      await tab.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-password-changed-390.png`), fullPage: true });
    } finally {
      await theirs.close();
    }
    await expect(t.app.get(ManagersService).verifyCredentials('browser-reset@example.com', 'changed-password-789')).resolves.toMatchObject({ id: m.id });
    expect(violations).toEqual([]);
  }, 60_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function expectPath(page: Page, path: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === path);
  expect(new URL(page.url()).pathname).toBe(path);
}
