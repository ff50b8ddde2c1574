import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page, type Route } from 'playwright-core';
import { DASHBOARD_TUS_ROOT } from '../src/dashboard/dashboard-file-uploads.controller';
import { createApiKey, createManager } from './support/factories';
import { randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * The files page in Debian's headless Chromium (as test/browser.e2e-spec.ts drives it): it renders
 * under the real CSP at desktop and phone widths, the plain form uploads, and the Uppy bundle speaks
 * tus to the real /dashboard/files/uploads with the CSRF header and 8 MiB chunks, and a reload in the
 * middle of an upload resumes it. The tus traffic is observed (page.on request/response), never answered
 * by the test; the one route in the resume test only holds back a chunk, as a stalled connection would.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !process.env.CI) console.warn(`files-browser.e2e-spec skipped: ${CHROMIUM} is missing.`);
const describeInBrowser = haveChromium || process.env.CI ? describe : describe.skip;
const MiB = 1024 * 1024;
const UPLOADS = `/${DASHBOARD_TUS_ROOT}`;
const MAX_PROGRESS = 'eds-test-max-progress';
const COMPLETED = 'eds-test-completed';

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
      new MutationObserver(() => {
        for (const bar of document.querySelectorAll('.uppy-StatusBar-progress[aria-valuenow]')) {
          const value = Number(bar.getAttribute('aria-valuenow'));
          if (value > Number(sessionStorage.getItem('${MAX_PROGRESS}') ?? -1)) sessionStorage.setItem('${MAX_PROGRESS}', String(value));
        }
        const done = JSON.parse(sessionStorage.getItem('${COMPLETED}') ?? '[]');
        for (const item of document.querySelectorAll('.uppy-Dashboard-Item.is-complete .uppy-Dashboard-Item-name')) {
          if (!done.includes(item.textContent)) done.push(item.textContent);
        }
        sessionStorage.setItem('${COMPLETED}', JSON.stringify(done));
      }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-valuenow', 'class'] });
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

  /** Every tus request the page sends and what the real endpoint answered, observed, not altered. */
  interface TusExchange {
    phase: number;
    method: string;
    csrf?: string;
    tus?: string;
    offset?: number;
    status?: number;
    answeredOffset?: number;
  }
  const observeTus = (page: Page): { exchanges: TusExchange[]; phase: { now: number } } => {
    const exchanges: TusExchange[] = [];
    const phase = { now: 0 };
    const byRequest = new Map<object, TusExchange>();
    page.on('request', (request) => {
      if (!new URL(request.url()).pathname.startsWith(UPLOADS) || request.method() === 'OPTIONS') return;
      const h = request.headers();
      const exchange: TusExchange = { phase: phase.now, method: request.method(), csrf: h['x-csrf-token'], tus: h['tus-resumable'] };
      if (h['upload-offset'] !== undefined) exchange.offset = Number(h['upload-offset']);
      exchanges.push(exchange);
      byRequest.set(request, exchange);
    });
    page.on('response', (response) => {
      const exchange = byRequest.get(response.request());
      if (!exchange) return;
      exchange.status = response.status();
      const offset = response.headers()['upload-offset'];
      if (offset !== undefined) exchange.answeredOffset = Number(offset);
    });
    return { exchanges, phase };
  };
  const csrfOf = async (page: Page): Promise<string> => {
    const token = await page.locator('#files-upload').getAttribute('data-csrf-token');
    if (!token) throw new Error('no CSRF token on the mount point');
    return token;
  };
  /**
   * What the widget showed, kept in sessionStorage across the page's own reloads: the highest value of
   * the status bar, and the files whose item turned complete (100 %). Uppy throttles the status bar's
   * total to one update in 500 ms and the page reloads on 'complete', so on a fast link the bar itself
   * may never paint 100 before the reload; the file item's completion is rendered at once.
   */
  const shown = (page: Page): Promise<{ max: number; completed: string[] }> =>
    page.evaluate(`({ max: Number(sessionStorage.getItem('${MAX_PROGRESS}') ?? -1), completed: JSON.parse(sessionStorage.getItem('${COMPLETED}') ?? '[]') })`);

  /** After the reload that shows a finished upload, the widget offers nothing back (no "Session restored" ghost). */
  const expectWidgetEmpty = async (page: Page): Promise<void> => {
    await page.locator('#files-upload[data-uploader="ready"] .uppy-Dashboard').waitFor();
    // What Golden Retriever restores from: no record, or one whose files are all complete (it ignores those).
    // Reading it also lets its own restore (started earlier, on the same database) finish before the DOM check.
    const recovery = await page.evaluate<Array<{ name: string; complete: boolean }> | null>(
      `new Promise((resolve) => {
        const open = indexedDB.open('uppy-blobs');
        open.onerror = () => resolve(null);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('metadata')) { db.close(); resolve(null); return; }
          const get = db.transaction('metadata').objectStore('metadata').get('eds-files');
          get.onerror = () => { db.close(); resolve(null); };
          get.onsuccess = () => {
            db.close();
            const files = get.result ? Object.values(JSON.parse(get.result.metadata).files ?? {}) : null;
            requestAnimationFrame(() => requestAnimationFrame(() =>
              resolve(files && files.map((f) => ({ name: f.name, complete: Boolean(f.progress && f.progress.complete) })))));
          };
        };
      })`,
    );
    for (const file of recovery ?? []) expect(file).toMatchObject({ complete: true });
    await expect(page.locator('.uppy-Dashboard-Item').count()).resolves.toBe(0);
    await expect(page.getByText('Session restored').count()).resolves.toBe(0);
  };

  it('the Uppy widget uploads to the real /dashboard/files/uploads in 8 MiB PATCHes with x-csrf-token, and the file is ready with its SHA-256', async () => {
    const manager = await createManager(t);
    const key = await createApiKey(t, manager, 'Checks the dashboard upload');
    const client = await StorageClient.for(t, key.key);
    const page = await open(1280);
    await signIn(page, manager.email, manager.password);
    const { exchanges } = observeTus(page);

    await page.goto('/dashboard/files');
    await page.locator('#files-upload[data-uploader="ready"]').waitFor();
    await expect(page.locator('.uppy-Dashboard').count()).resolves.toBe(1);
    await expect(page.locator('#files-upload').getAttribute('data-endpoint')).resolves.toBe(UPLOADS);
    await shot(page, 'uppy-widget-1280');
    const csrf = await csrfOf(page);
    const size = 10 * MiB + 7;
    const bytes = randomContent(size);
    await page.locator('.uppy-Dashboard-input').first().setInputFiles({ name: 'ten-mib.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await shot(page, 'uppy-file-chosen-1280');
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await page.locator('.uppy-StatusBar-actionBtn--upload').click();
    // On completion the page reloads to show the new row.
    await reloaded;
    const row = page.locator('tr[data-file-id]');
    await row.first().waitFor();
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('.uploaded-by').textContent()).resolves.toBe('Dashboard');
    await expectWidgetEmpty(page);
    await shot(page, 'uppy-uploaded-1280');

    expect(exchanges.map((e) => e.method)).toEqual(['POST', 'PATCH', 'PATCH']);
    expect(exchanges[0].status).toBe(201);
    const patches = exchanges.filter((e) => e.method === 'PATCH');
    // The server's answered offsets give each chunk's length: exactly 8 MiB, then the rest.
    expect(patches.map((e) => [e.offset, e.status, e.answeredOffset])).toEqual([
      [0, 204, 8 * MiB],
      [8 * MiB, 204, size],
    ]);
    for (const e of exchanges) expect(e).toMatchObject({ csrf, tus: '1.0.0' });
    const widget = await shown(page);
    expect(widget.completed).toEqual(['ten-mib.bin']);
    expect(widget.max).toBeGreaterThanOrEqual(0);
    expect(widget.max).toBeLessThanOrEqual(100);

    const id = await row.getAttribute('data-file-id');
    const meta = await client.json('GET', `/api/v1/storage/files/${id}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ filename: 'ten-mib.bin', size, sha256: sha256(bytes), status: 'ready', uploadedBy: null });

    // The widget at phone width: it fits, and the page does not scroll sideways.
    const phone = await open(390);
    await signIn(phone, manager.email, manager.password);
    await phone.goto('/dashboard/files');
    await phone.locator('#files-upload[data-uploader="ready"] .uppy-Dashboard').waitFor();
    await shot(phone, 'uppy-widget-390');
    const overflow = await phone.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.context().close();
    expect(problems).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('a reload in the middle of an upload resumes it from the server offset (Golden Retriever), and the file is whole', async () => {
    const manager = await createManager(t);
    const key = await createApiKey(t, manager, 'Checks the resumed upload');
    const client = await StorageClient.for(t, key.key);
    const page = await open(1280);
    await signIn(page, manager.email, manager.password);
    const { exchanges, phase } = observeTus(page);

    await page.goto('/dashboard/files');
    await page.locator('#files-upload[data-uploader="ready"]').waitFor();
    const csrfBefore = await csrfOf(page);
    // The first chunk goes through; the second is held, as by a connection that stalls.
    let patches = 0;
    let second!: () => void;
    const secondHeld = new Promise<void>((resolve) => (second = resolve));
    await page.route(`**${UPLOADS}/*`, async (route: Route) => {
      if (route.request().method() !== 'PATCH' || ++patches === 1) return route.continue();
      second();
      // Never answered: the reload below abandons it.
    });

    const size = 24 * MiB + 5;
    const bytes = randomContent(size);
    await page.locator('.uppy-Dashboard-input').first().setInputFiles({ name: 'twenty-four-mib.bin', mimeType: 'application/octet-stream', buffer: bytes });
    await page.locator('.uppy-StatusBar-actionBtn--upload').click();
    await secondHeld;
    // What Golden Retriever must have kept for the reload: the file's bytes and its tus URL.
    // (page.evaluate awaits the promise; waitForFunction would take the promise itself as truthy.)
    const kept = (): Promise<boolean> =>
      page.evaluate<boolean>(
        `new Promise((resolve) => {
          const open = indexedDB.open('uppy-blobs');
          open.onerror = () => resolve(false);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['metadata', 'files']);
            const meta = tx.objectStore('metadata').get('eds-files');
            const blobs = tx.objectStore('files').getAll();
            tx.oncomplete = () => {
              db.close();
              const state = meta.result ? JSON.parse(meta.result.metadata) : null;
              const url = state && Object.values(state.files ?? {}).map((f) => f.tus && f.tus.uploadUrl)[0];
              resolve(Boolean(url && url.includes('${UPLOADS}/')) && blobs.result.some((b) => b.data && b.data.size === ${size}));
            };
          };
        })`,
      );
    for (let tries = 0; !(await kept()); tries++) {
      if (tries === 150) throw new Error('Golden Retriever did not keep the file and its tus URL in IndexedDB');
      await page.waitForTimeout(200);
    }
    // The first chunk is a third of the file, and the status bar says so while the second is held.
    await page.locator('.uppy-StatusBar-progress[aria-valuenow="33"]').waitFor({ timeout: 10_000 });
    await shot(page, 'uppy-held-1280');
    const before = exchanges.map((e) => [e.method, e.offset ?? null, e.status ?? null]);
    expect(before).toEqual([
      ['POST', null, 201],
      ['PATCH', 0, 204],
      ['PATCH', 8 * MiB, null],
    ]);

    phase.now = 1;
    await page.reload();
    await page.unrouteAll({ behavior: 'ignoreErrors' });
    await page.locator('#files-upload[data-uploader="ready"]').waitFor();
    const csrfAfter = await csrfOf(page);
    // Golden Retriever brings the file back whole (not a ghost to choose again), ready to go on.
    const restored = page.locator('.uppy-Dashboard-Item');
    await restored.first().waitFor();
    await expect(restored.count()).resolves.toBe(1);
    await expect(page.locator('.uppy-Dashboard-Item.is-ghost').count()).resolves.toBe(0);
    await expect(page.locator('.uppy-Dashboard-Item-name').first().textContent()).resolves.toContain('twenty-four-mib.bin');
    await shot(page, 'uppy-restored-1280');
    const resume = page.locator('.uppy-StatusBar-actionBtn--upload, .uppy-StatusBar-actionBtn--retry').first();
    const done = page.waitForEvent('load', { timeout: 90_000 });
    await resume.click();
    await done;
    const row = page.locator('tr[data-file-id]');
    await row.first().waitFor();
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('.uploaded-by').textContent()).resolves.toBe('Dashboard');
    await expectWidgetEmpty(page);
    await shot(page, 'uppy-resumed-done-1280');

    const after = exchanges.filter((e) => e.phase === 1);
    // No new upload: it asks the server where it stands, then sends only what is missing.
    expect(after.map((e) => e.method)).toEqual(['HEAD', 'PATCH', 'PATCH', 'PATCH']);
    expect(after[0]).toMatchObject({ status: 200, answeredOffset: 8 * MiB });
    expect(after.slice(1).map((e) => [e.offset, e.status, e.answeredOffset])).toEqual([
      [8 * MiB, 204, 16 * MiB],
      [16 * MiB, 204, 24 * MiB],
      [24 * MiB, 204, size],
    ]);
    for (const e of exchanges) expect(e).toMatchObject({ csrf: e.phase === 0 ? csrfBefore : csrfAfter, tus: '1.0.0' });
    const widget = await shown(page);
    expect(widget.completed).toEqual(['twenty-four-mib.bin']);
    expect(widget.max).toBeGreaterThanOrEqual(33);

    const id = await row.getAttribute('data-file-id');
    const meta = await client.json('GET', `/api/v1/storage/files/${id}`);
    expect(meta.status).toBe(200);
    expect(meta.body).toMatchObject({ filename: 'twenty-four-mib.bin', size, sha256: sha256(bytes), status: 'ready', uploadedBy: null });
    expect(problems).toEqual([]);
    await page.context().close();
  }, 240_000);
});
