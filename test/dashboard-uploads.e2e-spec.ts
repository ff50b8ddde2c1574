import * as tus from 'tus-js-client';
import { ALL_OWNERS } from '../src/managers';
import { StorageService } from '../src/storage';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from './support/test-app';
import { createManager } from './support/factories';
import { baseUrl, randomContent, sha256 } from './support/storage-client';
import { idOf, metadata, OCTETS, TUS } from './support/tus-client';

const MiB = 1024 * 1024;

/** A browser's view of the dashboard: its session cookie and the CSRF token a page gave it. */
interface BrowserSession {
  cookie: string;
  csrf: string;
}

const cookieOf = (res: Response): string =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

const csrfIn = (html: string): string => {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1];
};

async function signInWithFetch(base: string, email: string, password: string): Promise<BrowserSession> {
  const login = await fetch(`${base}/dashboard/login`);
  const anonymous = cookieOf(login);
  const form = new URLSearchParams({ email, password, _csrf: csrfIn(await login.text()) });
  const signedIn = await fetch(`${base}/dashboard/login`, {
    method: 'POST',
    headers: { cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  const cookie = cookieOf(signedIn) || anonymous;
  const page = await fetch(`${base}/dashboard/api-keys`, { headers: { cookie } });
  return { cookie, csrf: csrfIn(await page.text()) };
}

/**
 * The dashboard's tus endpoint (DESIGN.md §5b): the §4b protocol behind the
 * session. What the API's tus suite proves of the protocol holds here because
 * it is the same service; this spec proves the door: session, CSRF, JSON
 * errors, ownership, Location under the dashboard, and a real tus client.
 */
describe('Dashboard uploads over tus (e2e)', () => {
  let t: TestApp;
  let base: string;
  let admin: BrowserSession;
  const endpoint = '/dashboard/files/uploads';

  beforeAll(async () => {
    t = await startTestApp();
    base = await baseUrl(t);
    admin = await signInWithFetch(base, ADMIN_EMAIL, ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.destroy();
  });

  const send = (session: Partial<BrowserSession>, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) =>
    fetch(`${base}${path}`, {
      method,
      headers: {
        ...TUS,
        ...(session.cookie ? { cookie: session.cookie } : {}),
        ...(session.csrf ? { 'x-csrf-token': session.csrf } : {}),
        ...headers,
      },
      body,
      redirect: 'manual',
    });

  it('answers 401 in the JSON error shape without a session (no redirect to the login page)', async () => {
    const res = await send({}, 'POST', endpoint, { 'upload-length': '3', 'upload-metadata': metadata({ filename: 'a.txt' }) });
    expect(res.status).toBe(401);
    expect(res.headers.get('tus-resumable')).toBe('1.0.0');
    expect(await res.json()).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
  });

  it('answers 403 without the CSRF token, or with a wrong one, and creates nothing', async () => {
    const before = (await t.app.get(StorageService).list(ALL_OWNERS, { includePending: true, limit: 100 })).items.length;
    for (const csrf of [undefined, 'not-the-token']) {
      const res = await send({ cookie: admin.cookie, csrf }, 'POST', endpoint, {
        'upload-length': '3',
        'upload-metadata': metadata({ filename: 'a.txt' }),
      });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ statusCode: 403, error: 'Forbidden' });
    }
    expect((await t.app.get(StorageService).list(ALL_OWNERS, { includePending: true, limit: 100 })).items).toHaveLength(before);
  });

  it('creates under the dashboard, appends, reports the offset and makes the manager\'s file ready', async () => {
    const manager = await createManager(t);
    const session = await signInWithFetch(base, manager.email, manager.password);
    const bytes = randomContent(100_000);
    const created = await send(session, 'POST', endpoint, {
      'upload-length': String(bytes.length),
      'upload-metadata': metadata({ filename: 'from-the-browser.bin', filetype: 'application/x-test' }),
    });
    expect(created.status).toBe(201);
    const location = created.headers.get('location')!;
    expect(location).toMatch(new RegExp(`^${base}${endpoint}/[0-9a-f-]{36}$`));
    const id = idOf(location);

    const first = await send(session, 'PATCH', `${endpoint}/${id}`, { ...OCTETS, 'upload-offset': '0' }, bytes.subarray(0, 60_000));
    expect(first.status).toBe(204);
    const head = await send(session, 'HEAD', `${endpoint}/${id}`);
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe('60000');
    expect((await t.app.get(StorageService).get(ALL_OWNERS, id)).status).toBe('pending');

    const last = await send(session, 'PATCH', `${endpoint}/${id}`, { ...OCTETS, 'upload-offset': '60000' }, bytes.subarray(60_000));
    expect(last.status).toBe(204);
    expect(await t.app.get(StorageService).get(ALL_OWNERS, id)).toMatchObject({
      ownerId: manager.id,
      status: 'ready',
      sha256: sha256(bytes),
      mimeType: 'application/x-test',
      filename: 'from-the-browser.bin',
    });

    // Another manager's session cannot see or touch it.
    const stranger = await createManager(t);
    const theirs = await signInWithFetch(base, stranger.email, stranger.password);
    expect((await send(theirs, 'HEAD', `${endpoint}/${id}`)).status).toBe(404);
    expect((await send(theirs, 'DELETE', `${endpoint}/${id}`)).status).toBe(404);
  });

  it('takes a tus-js-client upload in 1 MiB chunks with the session cookie and the CSRF header', async () => {
    const bytes = randomContent(3 * MiB + 17);
    const patches: number[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const upload = new tus.Upload(bytes, {
        endpoint: `${base}${endpoint}`,
        headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf },
        metadata: { filename: 'uppy-like.bin', filetype: 'application/octet-stream' },
        chunkSize: MiB,
        retryDelays: [0, 200],
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') patches.push(Number(req.getHeader('Upload-Offset')));
        },
        onSuccess: () => resolve(upload.url!),
        onError: reject,
      });
      upload.start();
    });
    expect(patches).toEqual([0, MiB, 2 * MiB, 3 * MiB]);
    const file = await t.app.get(StorageService).get(ALL_OWNERS, idOf(url));
    expect(file).toMatchObject({ status: 'ready', size: bytes.length, sha256: sha256(bytes) });
  });

  it('terminates an upload with DELETE', async () => {
    const created = await send(admin, 'POST', endpoint, { 'upload-length': '10', 'upload-metadata': metadata({ filename: 'gone.txt' }) });
    const id = idOf(created.headers.get('location')!);
    expect((await send(admin, 'DELETE', `${endpoint}/${id}`)).status).toBe(204);
    expect((await send(admin, 'HEAD', `${endpoint}/${id}`)).status).toBe(404);
    await expect(t.app.get(StorageService).get(ALL_OWNERS, id)).rejects.toMatchObject({ code: 'FileNotFound' });
  });
});
