import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { createApiKey, createManager } from './support/factories';
import { randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The files page in Debian's headless Chromium (as test/browser.e2e-spec.ts drives it): it renders
 * under the real CSP at desktop and phone widths, the plain form uploads, and the Uppy bundle speaks
 * tus to /dashboard/files/uploads with the CSRF header and 8 MiB chunks. That endpoint is not served
 * yet, so for the widget the test serves the page with its mount point and answers tus itself.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) console.warn(`files-browser.e2e-spec skipped: ${CHROMIUM} is missing.`);
const describeInBrowser = haveChromium || process.env.CI ? describe : describe.skip;
const MiB = 1024 * 1024;

describeInBrowser('Files page in a real browser (e2e)', () => {
  let t: TestApp;
  let browser: Browser;
  let origin: string;
  let shots: string;
  let step = 0;
  const problems: string[] = [];

  const open = async (width: number): Promise<Page> => {
    const context = await browser.newContext({ baseURL: origin, viewport: { width, height: 900 } });
    await context.addInitScript(`
      document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
    `);
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content.Security.Policy/i.test(m.text())) problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    return page;
  };
  const shot = async (page: Page, name: string): Promise<void> => {
    await page.screenshot({ path: join(shots, `${String(++step).padStart(2, '0')}-${name}.png`), fullPage: true });
  };
  const signIn = async (page: Page, email: string, password: string): Promise<void> => {
    await page.goto('/dashboard/login');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/dashboard/api-keys');
  };

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium`);
    shots = process.env.EDS_SCREENSHOT_DIR ?? (await mkdtemp(join(tmpdir(), 'eds-files-browser-')));
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.getHttpServer().address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    origin = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await t?.destroy();
    if (process.env.EDS_SCREENSHOT_DIR) console.warn(`files-browser screenshots: ${shots}`);
    else if (shots) await rm(shots, { recursive: true, force: true });
  });

  it('renders the list at 1280 and 390 px under the CSP, and the plain form uploads a file', async () => {
    const manager = await createManager(t);
    const key = await createApiKey(t, manager, 'Nightly backup on db-01');
    const client = await StorageClient.for(t, key.key);
    for (let i = 0; i < 3; i++) await client.upload(randomContent(1500 * (i + 1) ** 3), { filename: `export-2026-11-${10 + i} quarterly report.csv`, mimeType: 'text/csv' });

    for (const width of [1280, 390]) {
      const page = await open(width);
      await signIn(page, manager.email, manager.password);
      await page.getByRole('link', { name: 'Files' }).click();
      await page.waitForURL((url) => url.pathname === '/dashboard/files');
      await expect(page.locator('tr[data-file-id]').count()).resolves.toBe(width === 1280 ? 3 : 4);
      await shot(page, `files-${width}`);
      // At 390 px the table scrolls inside its card; the page itself does not scroll sideways.
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      expect(overflow).toBeLessThanOrEqual(0);

      if (width === 1280) {
        const bytes = randomContent(300 * 1024);
        await page.locator('#upload-file').setInputFiles({ name: 'dropped in the browser.bin', mimeType: 'application/octet-stream', buffer: bytes });
        await page.getByRole('button', { name: 'Upload', exact: true }).click();
        await page.getByRole('status').getByText('Uploaded “dropped in the browser.bin” (300 KiB).').waitFor();
        const row = page.locator('tr[data-file-id]').first();
        await expect(row.locator('.uploaded-by').textContent()).resolves.toBe('Dashboard');
        const id = await row.getAttribute('data-file-id');
        const meta = await client.json('GET', `/api/v1/storage/files/${id}`);
        expect(meta.body).toMatchObject({ sha256: sha256(bytes), uploadedBy: null, status: 'ready' });
        await shot(page, 'files-uploaded');
        await page.goto(`/dashboard/files/${id}/delete`);
        await shot(page, 'files-confirm-delete');
        await page.goto(`/dashboard/api-keys/${key.id}`);
        await page.locator('.key-files').waitFor();
        await shot(page, 'key-page-files');
      }
      await page.context().close();
    }
    const empty = await open(390);
    const nobody = await createManager(t);
    await signIn(empty, nobody.email, nobody.password);
    await empty.goto('/dashboard/files');
    await empty.getByText('No files yet').waitFor();
    await shot(empty, 'files-empty-390');
    await empty.context().close();
    expect(problems).toEqual([]);
  }, 120_000);

  it('the Uppy widget sends tus to /dashboard/files/uploads with x-csrf-token and chunks of 8 MiB, under the CSP', async () => {
    const manager = await createManager(t);
    const page = await open(1280);
    await signIn(page, manager.email, manager.password);

    // The page as it will be once the tus endpoint is served: the mount point and the bundle.
    await page.route('**/dashboard/files', async (route: Route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        '<section class="card upload">\n  <h2>Upload</h2>',
        `<section class="card upload">\n  <h2>Upload</h2>
  <link rel="stylesheet" href="/public/build/files-upload.css">
  <script src="/public/build/files-upload.js" defer></script>
  <div id="files-upload" class="files-upload" data-endpoint="/dashboard/files/uploads" data-csrf-token="$CSRF" data-max-bytes="5368709120"></div>`,
      );
      const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
      await route.fulfill({ response, body: html.replace('$CSRF', csrf) });
    });
    // A tus server in the test, recording what the client sends.
    const requests: Array<{ method: string; csrf: string | undefined; length: number; offset?: string; tus?: string }> = [];
    let offset = 0;
    await page.route('**/dashboard/files/uploads**', async (route: Route) => {
      const request = route.request();
      const headers = await request.allHeaders();
      const body = request.postDataBuffer();
      requests.push({ method: request.method(), csrf: headers['x-csrf-token'], length: body?.length ?? 0, offset: headers['upload-offset'], tus: headers['tus-resumable'] });
      if (request.method() === 'POST') {
        await route.fulfill({ status: 201, headers: { Location: `${origin}/dashboard/files/uploads/3f2c8a36-3b1e-4d59-9b0c-8d7e0f1a2b3c`, 'Tus-Resumable': '1.0.0' } });
      } else if (request.method() === 'PATCH') {
        offset += body?.length ?? 0;
        await route.fulfill({ status: 204, headers: { 'Upload-Offset': String(offset), 'Tus-Resumable': '1.0.0' } });
      } else {
        await route.fulfill({ status: 200, headers: { 'Upload-Offset': String(offset), 'Upload-Length': String(10 * MiB), 'Tus-Resumable': '1.0.0' } });
      }
    });

    await page.goto('/dashboard/files');
    await page.locator('#files-upload[data-uploader="ready"]').waitFor();
    await page.locator('.uppy-Dashboard').waitFor();
    await shot(page, 'uppy-widget');
    const csrf = await page.locator('#files-upload').getAttribute('data-csrf-token');
    await page.locator('.uppy-Dashboard-input').first().setInputFiles({ name: 'ten-mib.bin', mimeType: 'application/octet-stream', buffer: randomContent(10 * MiB) });
    await page.locator('.uppy-StatusBar-actionBtn--upload').click();
    // On completion the page reloads to show the new row.
    await page.waitForEvent('load', { timeout: 30_000 });

    expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    const patches = requests.filter((r) => r.method === 'PATCH');
    expect(patches.map((r) => r.length)).toEqual([8 * MiB, 2 * MiB]);
    expect(patches.map((r) => r.offset)).toEqual(['0', String(8 * MiB)]);
    for (const r of requests) expect(r).toMatchObject({ csrf, tus: '1.0.0' });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 120_000);
});
