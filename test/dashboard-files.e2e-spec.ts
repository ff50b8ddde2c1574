import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { adminActor, createApiKey, createManager, csrfFrom, csrfOn, signIn } from './support/factories';
import { randomContent, sha256, StorageClient } from './support/storage-client';
import { ADMIN_EMAIL, startTestApp, type TestApp } from './support/test-app';

const MAX_UPLOAD = 256 * 1024;

/** The `<tr data-file-id>` rows of a files page, in order: id and inner HTML. */
function rows(html: string): Array<{ id: string; html: string }> {
  return [...html.matchAll(/<tr data-file-id="([^"]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => ({ id: m[1], html: m[2] }));
}

function nextHref(html: string): string | null {
  const href = /<a rel="next" href="([^"]+)"/.exec(html)?.[1];
  return href ? href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=') : null;
}

const cell = (row: string, name: string): string =>
  new RegExp(`<td class="${name}"[^>]*>([\\s\\S]*?)</td>`).exec(row)?.[1]?.trim() ?? '';

describe('Files in the dashboard (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_MAX_UPLOAD_BYTES: String(MAX_UPLOAD) } });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** A manager with a key, signed in to the dashboard. */
  const newManager = async (keyName = 'Nightly backup') => {
    const manager = await createManager(t);
    const key = await createApiKey(t, manager, keyName);
    const client = await StorageClient.for(t, key.key);
    const agent = await signIn(t, manager.email, manager.password);
    return { manager, key, client, agent };
  };

  /** `count` ready files for `ownerId`, made in SQL (a second apart, newest last), answering their ids oldest first. */
  const seedFiles = async (ownerId: string, count: number, name = (i: number) => `seed-${i}.bin`, keyId?: string): Promise<string[]> => {
    const rowsMade = await t.sql<{ id: string }>(
      `INSERT INTO stored_files (owner_id, filename, mime_type, size, status, sha256, blob_key, created_at, uploaded_at,
                                 upload_source, uploaded_by_key_id, uploaded_by_key_name)
       SELECT $1, $4 || i, 'application/octet-stream', i, 'ready', repeat('0', 64), 'none', now() - (($2 - i) || ' seconds')::interval,
              now(), CASE WHEN $3::uuid IS NULL THEN NULL ELSE 'api_key' END, $3::uuid, CASE WHEN $3::uuid IS NULL THEN NULL ELSE 'seeded key' END
         FROM generate_series(1, $2) AS i ORDER BY i RETURNING id`,
      [ownerId, count, keyId ?? null, name(0).replace(/0$/, '')],
    );
    return rowsMade.map((r) => r.id);
  };

  describe('GET /dashboard/files', () => {
    it('sends an anonymous visitor to sign in', async () => {
      await request(t.http).get('/dashboard/files').expect(303).expect('Location', '/dashboard/login');
    });

    it('lists the manager\'s ready files newest first, each row with name, size, type, uploader and time', async () => {
      const { key, client, agent } = await newManager('Nightly backup');
      const first = await client.upload(randomContent(1536), { filename: 'first.csv', mimeType: 'text/csv' });
      const second = await client.upload(randomContent(10), { filename: '<b>bold</b> & "quoted".txt', mimeType: 'text/plain' });
      await client.start({ size: 5, filename: 'still-pending.bin' });

      const page = await agent.get('/dashboard/files').expect(200).expect('Content-Type', /text\/html/);
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
      const listed = rows(page.text);
      expect(listed.map((r) => r.id)).toEqual([second.id, first.id]);
      expect(page.text).not.toContain('still-pending.bin');

      // The filename is text, never markup.
      expect(cell(listed[0].html, 'filename')).toBe('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot;.txt');
      expect(page.text).not.toContain('<b>bold</b>');
      expect(cell(listed[1].html, 'num size')).toContain('1.5 KiB');
      expect(cell(listed[1].html, 'mime')).toBe('<code>text/csv</code>');
      const masked = (await t.app.get(ApiKeysService).getVisibleTo(await adminActor(t), key.id)).maskedKey;
      expect(cell(listed[1].html, 'uploaded-by')).toBe(`Nightly backup <code>${masked}</code>`);
      expect(cell(listed[1].html, 'uploaded-at')).toMatch(
        new RegExp(`^<time datetime="${first.uploadedAt!.replace(/\./g, '\\.')}" title="[^"]+ UTC">just now</time>$`),
      );
      expect(listed[1].html).toContain(`href="/dashboard/files/${first.id}/content"`);
      expect(listed[1].html).toContain(`href="/dashboard/files/${first.id}/delete"`);

      expect(page.text).toMatch(new RegExp(`data-file-count="2" data-total-bytes="${1536 + 10}"`));
      expect(page.text).toContain('<a href="/dashboard/files">Files</a>');
      expect(page.text).not.toMatch(/<a rel="next"/);
    });

    it('shows a helpful empty state: how to upload from the browser and from a script', async () => {
      const { agent } = await newManager();
      const page = await agent.get('/dashboard/files').expect(200);
      expect(rows(page.text)).toEqual([]);
      expect(page.text).toContain('No files yet');
      expect(page.text).toMatch(/\/api\/v1\/storage\/upload/);
      expect(page.text).toMatch(/<input id="upload-file" type="file" name="file"/);
      expect(page.text).toMatch(/data-file-count="0" data-total-bytes="0"/);
    });

    it('keeps managers apart: another manager\'s files are neither listed, downloadable nor deletable', async () => {
      const alice = await newManager();
      const bob = await newManager();
      const file = await alice.client.upload(randomContent(20), { filename: 'alice-only.txt' });
      const page = await bob.agent.get('/dashboard/files').expect(200);
      expect(page.text).not.toContain('alice-only.txt');
      expect(page.text).toMatch(/data-file-count="0"/);
      await bob.agent.get(`/dashboard/files/${file.id}/content`).expect(404);
      await bob.agent.get(`/dashboard/files/${file.id}/delete`).expect(404);
      const csrf = await csrfOn(bob.agent, '/dashboard/files');
      await bob.agent.post(`/dashboard/files/${file.id}/delete`).type('form').send({ _csrf: csrf }).expect(404);
      expect((await alice.client.json('GET', `/api/v1/storage/files/${file.id}`)).status).toBe(200);
      // Filtering by another manager's key shows nothing of theirs either.
      const filtered = await bob.agent.get(`/dashboard/files?key=${alice.key.id}`).expect(200);
      expect(rows(filtered.text)).toEqual([]);
    });

    it('shows an admin every manager\'s files, with the owner, and everyone\'s totals', async () => {
      const carol = await newManager('carol key');
      const file = await carol.client.upload(randomContent(7), { filename: 'carol.txt' });
      const admin = await signIn(t);
      const page = await admin.get(`/dashboard/files?q=carol.txt`).expect(200);
      const [row] = rows(page.text);
      expect(row.id).toBe(file.id);
      expect(cell(row.html, 'owner')).toBe(carol.manager.email);
      expect(page.text).toContain('<th scope="col">Owner</th>');
      const [{ count, bytes }] = await t.sql<{ count: string; bytes: string }>(
        `SELECT COUNT(*) AS count, COALESCE(SUM(size), 0) AS bytes FROM stored_files WHERE status = 'ready'`,
      );
      const all = await admin.get('/dashboard/files').expect(200);
      expect(all.text).toMatch(new RegExp(`data-file-count="${count}" data-total-bytes="${bytes}"`));
      // And downloads it.
      await admin.get(`/dashboard/files/${file.id}/content`).expect(200);
    });

    it('pages by 50 with a rel="next" link carrying the cursor and the filters; nothing lost or repeated', async () => {
      const { manager, agent } = await newManager();
      const seeded = await seedFiles(manager.id, 120, (i) => `report_${i}`);
      // Same creation instant for several files: the id breaks the tie.
      await t.sql(`UPDATE stored_files SET created_at = (SELECT created_at FROM stored_files WHERE id = $1) WHERE id = ANY($2)`, [
        seeded[60],
        seeded.slice(55, 66),
      ]);
      const seen: string[] = [];
      let href: string | null = '/dashboard/files?q=report_';
      let pages = 0;
      while (href) {
        const page = await agent.get(href).expect(200);
        const found = rows(page.text);
        expect(found.length).toBeLessThanOrEqual(50);
        seen.push(...found.map((r) => r.id));
        if (pages > 0) expect(page.text).toContain('← Newest');
        href = nextHref(page.text);
        if (href) expect(href).toMatch(/^\/dashboard\/files\?q=report_&cursor=[A-Za-z0-9_-]+$/);
        pages++;
      }
      expect(pages).toBe(3);
      expect(seen).toHaveLength(120);
      expect(new Set(seen).size).toBe(120);
      expect(new Set(seen)).toEqual(new Set(seeded));
      // Newest first: the seeded files were made oldest first.
      expect(seen[0]).toBe(seeded[119]);
      expect(seen[119]).toBe(seeded[0]);
    });

    it('filters by name: case-insensitive substring, with % and _ taken literally', async () => {
      const { client, agent } = await newManager();
      const names = ['Quarterly_Report.PDF', 'quarterlyXreport.pdf', '100% done.txt', '100 done.txt', 'back\\slash.txt', 'other.txt'];
      const ids = new Map<string, string>();
      for (const name of names) ids.set(name, (await client.upload(randomContent(3), { filename: name })).id);
      const found = async (q: string): Promise<string[]> => {
        const page = await agent.get('/dashboard/files').query({ q }).expect(200);
        return rows(page.text).map((r) => r.id);
      };
      await expect(found('report')).resolves.toEqual([ids.get('quarterlyXreport.pdf'), ids.get('Quarterly_Report.PDF')]);
      await expect(found('y_r')).resolves.toEqual([ids.get('Quarterly_Report.PDF')]);
      await expect(found('0%')).resolves.toEqual([ids.get('100% done.txt')]);
      await expect(found('%')).resolves.toEqual([ids.get('100% done.txt')]);
      await expect(found('_')).resolves.toEqual([ids.get('Quarterly_Report.PDF')]);
      await expect(found('k\\s')).resolves.toEqual([ids.get('back\\slash.txt')]);
      await expect(found('nothing-like-it')).resolves.toEqual([]);
      const none = await agent.get('/dashboard/files?q=nothing-like-it').expect(200);
      expect(none.text).toContain('No files match these filters');
      // The box keeps what was searched.
      expect(none.text).toContain('value="nothing-like-it"');
    });

    it('filters by key, alone and with a name; the next link carries both', async () => {
      const { manager, key, client, agent } = await newManager('first key');
      const other = await createApiKey(t, manager, 'second key');
      const byOther = await (await StorageClient.for(t, other.key)).upload(randomContent(4), { filename: 'b.txt' });
      const byFirst = await client.upload(randomContent(4), { filename: 'a.txt' });
      const page = await agent.get(`/dashboard/files?key=${other.id}`).expect(200);
      expect(rows(page.text).map((r) => r.id)).toEqual([byOther.id]);
      expect(page.text).toContain(`data-filter-key="${other.id}"`);
      const first = await agent.get(`/dashboard/files?key=${key.id}&q=A.TXT`).expect(200);
      expect(rows(first.text).map((r) => r.id)).toEqual([byFirst.id]);

      await seedFiles(manager.id, 60, (i) => `k${i}`, key.id);
      const paged = await agent.get(`/dashboard/files?key=${key.id}&q=k`).expect(200);
      expect(rows(paged.text)).toHaveLength(50);
      expect(nextHref(paged.text)).toMatch(new RegExp(`^/dashboard/files\\?q=k&key=${key.id}&cursor=`));
      const rest = await agent.get(nextHref(paged.text)!).expect(200);
      expect(rows(rest.text)).toHaveLength(10);
    });

    it.each([
      ['key=not-a-uuid', /key must be an API key id/],
      ['cursor=garbage!', /cursor is malformed/],
      [`cursor=${Buffer.from('2026-13-45T00:00:00.000000Z|' + randomUUID()).toString('base64url')}`, /cursor is malformed/],
      ['q=a&q=b', /q may be given once/],
      [`q=${'x'.repeat(256)}`, /q is at most 255 characters/],
    ])('answers a clear 400 page for %s', async (query, message) => {
      const { agent } = await newManager();
      const page = await agent.get(`/dashboard/files?${query}`).expect(400).expect('Content-Type', /text\/html/);
      expect(page.text).toMatch(message);
      expect(page.text).toContain('400 · Bad Request');
    });
  });

  describe('GET /dashboard/files/{id}/content', () => {
    it('downloads with the API\'s headers: attachment, nosniff, sandbox CSP, ETag, Range', async () => {
      const { client, agent } = await newManager();
      const bytes = randomContent(1000);
      const file = await client.upload(bytes, { filename: 'résumé <1>.html', mimeType: 'text/html' });
      const whole = await agent.get(`/dashboard/files/${file.id}/content`).buffer(true).parse(binary).expect(200);
      expect(sha256(whole.body as Buffer)).toBe(sha256(bytes));
      expect(whole.headers['content-type']).toBe('text/html');
      expect(whole.headers['content-disposition']).toMatch(/^attachment; filename="[^"]*"; filename\*=UTF-8''r%C3%A9sum%C3%A9%20%3C1%3E\.html$/);
      expect(whole.headers['x-content-type-options']).toBe('nosniff');
      expect(whole.headers['content-security-policy']).toBe('sandbox');
      expect(whole.headers.etag).toBe(`"${sha256(bytes)}"`);
      expect(whole.headers['accept-ranges']).toBe('bytes');
      const api = await client.download(file.id);
      for (const name of ['content-type', 'content-disposition', 'etag', 'content-length', 'x-content-type-options', 'content-security-policy']) {
        expect([name, whole.headers[name]]).toEqual([name, api.headers.get(name)]);
      }

      const part = await agent.get(`/dashboard/files/${file.id}/content`).set('Range', 'bytes=10-19').buffer(true).parse(binary).expect(206);
      expect((part.body as Buffer).equals(bytes.subarray(10, 20))).toBe(true);
      expect(part.headers['content-range']).toBe('bytes 10-19/1000');
      await agent.get(`/dashboard/files/${file.id}/content`).set('If-None-Match', `"${sha256(bytes)}"`).expect(304);
      await agent.get(`/dashboard/files/${file.id}/content`).set('Range', 'bytes=5000-').expect(416);
      await agent.get(`/dashboard/files/${randomUUID()}/content`).expect(404);
      await agent.get('/dashboard/files/not-a-uuid/content').expect(400);
    });
  });

  describe('delete', () => {
    it('confirms first, refuses without the CSRF token, then deletes and audits who, when and from where', async () => {
      const { manager, client, agent } = await newManager();
      const file = await client.upload(randomContent(30), { filename: 'to-delete.txt' });
      const confirm = await agent.get(`/dashboard/files/${file.id}/delete`).expect(200);
      expect(confirm.text).toContain('Delete “to-delete.txt”?');
      expect(confirm.text).toContain(`action="/dashboard/files/${file.id}/delete"`);
      const csrf = csrfFrom(confirm.text);

      await agent.post(`/dashboard/files/${file.id}/delete`).type('form').send({}).expect(403);
      await agent.post(`/dashboard/files/${file.id}/delete`).type('form').send({ _csrf: 'forged' }).expect(403);
      expect((await client.json('GET', `/api/v1/storage/files/${file.id}`)).status).toBe(200);

      const before = Date.now();
      await agent
        .post(`/dashboard/files/${file.id}/delete`)
        .set('User-Agent', 'files-e2e/1.0')
        .type('form')
        .send({ _csrf: csrf })
        .expect(303)
        .expect('Location', '/dashboard/files');
      expect((await client.json('GET', `/api/v1/storage/files/${file.id}`)).status).toBe(404);
      const list = await agent.get('/dashboard/files').expect(200);
      expect(list.text).toContain('“to-delete.txt” (30 B) is deleted.');
      expect(rows(list.text)).toEqual([]);

      const [entry] = await t.sql<Record<string, unknown>>(`SELECT * FROM audit_events WHERE subject_type = 'file' AND subject_id = $1`, [file.id]);
      expect(entry).toMatchObject({
        action: 'file.deleted',
        actor_id: manager.id,
        actor_email: manager.email,
        client_ip: expect.stringMatching(/127\.0\.0\.1/),
        user_agent: 'files-e2e/1.0',
        subject_owner_id: manager.id,
        subject_label: 'to-delete.txt',
        details: { size: 30, sha256: file.sha256, uploadedBy: 'Nightly backup' },
      });
      expect((entry.at as Date).getTime()).toBeGreaterThanOrEqual(before - 1000);
      // A second try finds nothing: one deletion, one entry.
      await agent.post(`/dashboard/files/${file.id}/delete`).type('form').send({ _csrf: csrf }).expect(404);
      const entries = await t.sql(`SELECT id FROM audit_events WHERE subject_id = $1`, [file.id]);
      expect(entries).toHaveLength(1);
    });

    it('lets an admin delete anyone\'s file, audited as the admin', async () => {
      const { client } = await newManager();
      const file = await client.upload(randomContent(3), { filename: 'x.txt' });
      const admin = await signIn(t);
      const csrf = csrfFrom((await admin.get(`/dashboard/files/${file.id}/delete`).expect(200)).text);
      await admin.post(`/dashboard/files/${file.id}/delete`).type('form').send({ _csrf: csrf }).expect(303);
      const [entry] = await t.sql<{ actor_email: string }>(`SELECT actor_email FROM audit_events WHERE subject_id = $1`, [file.id]);
      expect(entry.actor_email).toBe(ADMIN_EMAIL);
    });
  });

  describe('attribution on the page', () => {
    it('after a roll and after the key is deleted, files keep the key that wrote them; old files show —', async () => {
      const { manager, key, client, agent } = await newManager('Laptop');
      const before = await client.upload(randomContent(3), { filename: 'before-roll.txt' });
      const rolled = await t.app.get(ApiKeysService).roll(manager, key.id, 'none');
      const after = await (await StorageClient.for(t, rolled.plaintext)).upload(randomContent(3), { filename: 'after-roll.txt' });
      const legacy = await (await StorageClient.for(t, rolled.plaintext)).upload(randomContent(3), { filename: 'legacy.txt' });
      await t.sql(`UPDATE stored_files SET upload_source = NULL, uploaded_by_key_id = NULL, uploaded_by_key_name = NULL WHERE id = $1`, [legacy.id]);

      const page = await agent.get('/dashboard/files').expect(200);
      const byId = new Map(rows(page.text).map((r) => [r.id, r.html]));
      expect(cell(byId.get(before.id)!, 'uploaded-by')).toMatch(/^Laptop <code>exstr_live_…[0-9a-f]{4}<\/code>$/);
      expect(cell(byId.get(after.id)!, 'uploaded-by')).toContain(rolled.key.maskedKey);
      expect(cell(byId.get(legacy.id)!, 'uploaded-by')).toBe('—');

      await t.app.get(ApiKeysService).delete(manager, key.id);
      const later = await agent.get('/dashboard/files').expect(200);
      const row = rows(later.text).find((r) => r.id === before.id)!;
      expect(cell(row.html, 'uploaded-by')).toBe('Laptop <span class="muted">(deleted key)</span>');
      const filtered = await agent.get(`/dashboard/files?key=${key.id}`).expect(200);
      expect(rows(filtered.text).map((r) => r.id)).toEqual([before.id]);
    });
  });

  describe('upload without JavaScript', () => {
    const uploadForm = async (agent: TestAgent, content: Buffer, filename: string, contentType = 'text/plain') => {
      const csrf = await csrfOn(agent, '/dashboard/files');
      return agent.post('/dashboard/files').field('_csrf', csrf).attach('file', content, { filename, contentType });
    };

    it('streams a multipart file into storage, ready, attributed to the dashboard', async () => {
      const { client, agent } = await newManager();
      const content = randomContent(200 * 1024);
      const res = await uploadForm(agent, content, 'from the browser.txt');
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/dashboard/files');
      const page = await agent.get('/dashboard/files').expect(200);
      expect(page.text).toContain('Uploaded “from the browser.txt” (200 KiB).');
      const [row] = rows(page.text);
      expect(cell(row.html, 'filename')).toBe('from the browser.txt');
      expect(cell(row.html, 'uploaded-by')).toBe('Dashboard');

      const meta = await client.json('GET', `/api/v1/storage/files/${row.id}`);
      expect(meta.body).toMatchObject({ status: 'ready', size: content.length, mimeType: 'text/plain', sha256: sha256(content), uploadedBy: null });
      const down = await client.download(row.id);
      expect(sha256(down.body)).toBe(sha256(content));
    });

    it('refuses a form without the CSRF token (403) and stores nothing', async () => {
      const { manager, agent } = await newManager();
      await agent.get('/dashboard/files').expect(200);
      await agent.post('/dashboard/files').attach('file', Buffer.from('x'), 'x.txt').expect(403);
      await agent.post('/dashboard/files').field('_csrf', 'forged').attach('file', Buffer.from('x'), 'x.txt').expect(403);
      // Without a session at all: sign in first.
      await request(t.http).post('/dashboard/files').attach('file', Buffer.from('x'), 'x.txt').expect(303).expect('Location', '/dashboard/login');
      await expect(t.sql('SELECT id FROM stored_files WHERE owner_id = $1', [manager.id])).resolves.toEqual([]);
    });

    it('refuses a file over the upload limit (413) and keeps no row or blob', async () => {
      const { manager, agent } = await newManager();
      const res = await uploadForm(agent, randomContent(MAX_UPLOAD + 1), 'big.bin');
      expect(res.status).toBe(413);
      expect(res.text).toContain('maximum upload size');
      await expect(t.sql('SELECT id FROM stored_files WHERE owner_id = $1', [manager.id])).resolves.toEqual([]);
      const exactly = await uploadForm(agent, randomContent(MAX_UPLOAD), 'limit.bin');
      expect(exactly.status).toBe(303);
    });

    it('answers 400 for a form with no file chosen, and 415 for a body that is not multipart', async () => {
      const { agent } = await newManager();
      const csrf = await csrfOn(agent, '/dashboard/files');
      const empty = await agent.post('/dashboard/files').field('_csrf', csrf).attach('file', Buffer.alloc(0), '');
      expect(empty.status).toBe(400);
      // CSRF first: a body that is not multipart cannot carry the field, only the header.
      await agent.post('/dashboard/files').type('form').send({ _csrf: csrf }).expect(403);
      await agent.post('/dashboard/files').set('x-csrf-token', csrf).type('form').send({ _csrf: csrf }).expect(415);
    });
  });

  describe('a key\'s page', () => {
    it('shows what the key wrote (files, bytes) and links to its files', async () => {
      const { key, client, agent } = await newManager();
      await client.upload(randomContent(1000));
      await client.upload(randomContent(2000));
      const page = await agent.get(`/dashboard/api-keys/${key.id}`).expect(200);
      expect(page.text).toMatch(/data-key-file-count="2" data-key-total-bytes="3000"/);
      expect(page.text).toContain(`href="/dashboard/files?key=${key.id}"`);
    });
  });
});

/** superagent parser: the body as a Buffer, whatever its Content-Type. */
function binary(response: request.Response, done: (error: Error | null, body: unknown) => void): void {
  const res = response as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
