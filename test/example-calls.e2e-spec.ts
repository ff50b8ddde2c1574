import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { adminActor, createApiKey } from './support/factories';
import { startTestApp, type TestApp } from './support/test-app';

const run = promisify(execFile);

/** The interpreter that has `requests` (pyenv's python3, or Debian's with python3-requests). */
async function pythonWithRequests(): Promise<string> {
  for (const candidate of ['python3', '/usr/bin/python3']) {
    try {
      await run(candidate, ['-c', 'import requests']);
      return candidate;
    } catch {
      // try the next one
    }
  }
  throw new Error('No python3 with the requests package: .ci/run installs python3-requests');
}

const pendingShape = (filename: string, mimeType: string, size: number) => ({
  id: expect.stringMatching(/^[0-9a-f-]{36}$/),
  filename,
  mimeType,
  size,
  status: 'pending',
  sha256: null,
  uploadUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/storage\/files\/[0-9a-f-]{36}\/content$/),
  uploadMethod: 'PUT',
  expiresAt: expect.any(String),
  createdAt: expect.any(String),
  uploadedAt: null,
  uploadedBy: { keyId: expect.stringMatching(/^[0-9a-f-]{36}$/), name: 'examples' },
});

describe('The README\'s example calls against a listening server (e2e)', () => {
  let t: TestApp;
  let base: string;
  let key: string;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    key = (await createApiKey(t, await adminActor(t), 'examples')).key;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('curl', async () => {
    const { stdout } = await run('curl', [
      '-sS', '-X', 'POST', `${base}/api/v1/storage/upload`,
      '-H', `x-api-key: ${key}`,
      '-H', 'Content-Type: application/json',
      '-d', '{"filename": "test.txt", "mimeType": "text/plain", "size": 1024}',
      '-w', '\n%{http_code}',
    ]);
    const [body, status] = stdout.trim().split('\n');
    expect(status).toBe('201');
    expect(JSON.parse(body)).toEqual(pendingShape('test.txt', 'text/plain', 1024));
  });

  it('Python requests', async () => {
    const script = [
      'import json, sys, requests',
      'r = requests.post(sys.argv[1] + "/api/v1/storage/upload", headers={"x-api-key": sys.argv[2]},',
      '                  json={"filename": "data.csv", "mimeType": "text/csv", "size": 2048})',
      'print(json.dumps({"status": r.status_code, "body": r.json()}))',
    ].join('\n');
    const { stdout } = await run(await pythonWithRequests(), ['-c', script, base, key]);
    const { status, body } = JSON.parse(stdout);
    expect(status).toBe(201);
    expect(body).toEqual(pendingShape('data.csv', 'text/csv', 2048));
  });

  it('Node fetch', async () => {
    const res = await fetch(`${base}/api/v1/storage/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ filename: 'data.json', mimeType: 'application/json', size: 4096 }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual(pendingShape('data.json', 'application/json', 4096));
  });

  it('stores the pending file for the key\'s owner', async () => {
    const rows = await t.sql<{ filename: string; status: string; size: number }>(
      `SELECT filename, status, size FROM stored_files ORDER BY created_at`,
    );
    expect(rows.map((r) => [r.filename, r.status, Number(r.size)])).toEqual([
      ['test.txt', 'pending', 1024],
      ['data.csv', 'pending', 2048],
      ['data.json', 'pending', 4096],
    ]);
  });
});

/** The README's fenced code blocks that call the API (they send an x-api-key). */
function readmeApiBlocks(): Array<{ lang: string; code: string; line: number }> {
  const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
  const blocks: Array<{ lang: string; code: string; line: number }> = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (let m = fence.exec(readme); m; m = fence.exec(readme)) {
    if (!m[2].includes('x-api-key')) continue;
    blocks.push({ lang: m[1], code: m[2], line: readme.slice(0, m.index).split('\n').length });
  }
  return blocks;
}

describe('Every README block that calls the API, run as pasted (e2e)', () => {
  let t: TestApp;
  let base: string;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const blocks = readmeApiBlocks();

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'eds-readme-'));
    // What a reader does: export the key they copied (and, for the backup script, EDS).
    env = { ...process.env, EDS_API_KEY: (await createApiKey(t, await adminActor(t), 'readme')).key, EDS: base };
  });
  afterAll(async () => {
    await t?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds the quick start\'s curl, Python and JavaScript calls and the backup script', () => {
    expect(blocks.map((b) => b.lang)).toEqual(expect.arrayContaining(['sh', 'python', 'js', 'bash']));
  });

  // Verbatim but for the server's address: the test server cannot take port 3000.
  const here = (code: string) => code.replaceAll('http://localhost:3000', base);

  it.each(blocks.map((b) => [`${b.lang} block at README.md:${b.line}`, b] as const))('%s runs and succeeds', async (_label, block) => {
    const file = join(dir, `block-${block.line}.${{ sh: 'sh', bash: 'sh', python: 'py', js: 'mjs' }[block.lang] ?? 'txt'}`);
    await writeFile(file, here(block.code));
    if (block.lang === 'sh') {
      const { stdout } = await run('sh', ['-e', file], { env });
      expect(stdout).toContain('"name":"readme"');
      expect(stdout).toContain('"status":"pending"');
    } else if (block.lang === 'python') {
      const { stdout } = await run(await pythonWithRequests(), [file], { env });
      expect(stdout).toMatch(/^201 \{/);
    } else if (block.lang === 'js' && block.code.includes("from 'tus-js-client'")) {
      // As a reader who ran `npm install tus-js-client`: run from a folder whose imports find it.
      const where = await mkdtemp(join(__dirname, '..', 'node_modules', '.eds-readme-'));
      try {
        const script = join(where, 'resumable-upload.mjs');
        await writeFile(script, here(block.code));
        const data = join(where, 'backup.tar');
        const bytes = randomBytes(9 * 1024 * 1024 + 5);
        await writeFile(data, bytes);
        const { stdout } = await run(process.execPath, [script, data], { env, cwd: where });
        expect(stdout.trim()).toBe(`200 ready ${createHash('sha256').update(bytes).digest('hex')}`);
      } finally {
        await rm(where, { recursive: true, force: true });
      }
    } else if (block.lang === 'js') {
      const { stdout } = await run(process.execPath, [file], { env });
      expect(stdout).toMatch(/^201 \{/);
    } else if (block.lang === 'bash') {
      const data = join(dir, 'backup-me.bin');
      await writeFile(data, randomBytes(3 * 1024));
      const { stdout } = await run('bash', [file, data], { env });
      expect(stdout).toContain('"status": "ready"');
      expect(stdout).toMatch(/: OK\n/);
      expect(stdout).toContain('deleted: 204');
    } else {
      throw new Error(`README.md:${block.line}: a ${block.lang || 'plain'} block with x-api-key that this test cannot run`);
    }
  });
});

describe('POST /api/v1/storage/upload validation (e2e)', () => {
  let t: TestApp;
  let key: string;
  const valid = { filename: 'report.pdf', mimeType: 'application/pdf', size: 10 };

  beforeAll(async () => {
    t = await startTestApp({ env: { EDS_MAX_UPLOAD_BYTES: '1000000' } });
    key = (await createApiKey(t, await adminActor(t))).key;
  });
  afterAll(async () => {
    await t?.destroy();
  });

  const post = (body: unknown) =>
    request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).set('Content-Type', 'application/json').send(JSON.stringify(body));

  it('accepts a valid body, with or without sha256, and uses EDS_PUBLIC_URL-less request origin', async () => {
    const res = await post(valid).expect(201);
    expect(res.body.uploadUrl).toMatch(/^http:\/\/127\.0\.0\.1(:\d+)?\/api\/v1\/storage\/files\/[0-9a-f-]{36}\/content$/);
    await post({ ...valid, sha256: 'a'.repeat(64) }).expect(201);
    await post({ ...valid, size: 0 }).expect(201);
  });

  it.each([
    ['filename missing', { mimeType: 'text/plain', size: 1 }, /filename/],
    ['filename empty', { ...valid, filename: '' }, /filename must be 1 to 255 characters/],
    ['filename 256 chars', { ...valid, filename: 'a'.repeat(256) }, /filename must be 1 to 255 characters/],
    ['filename with NUL', { ...valid, filename: 'a\u0000b' }, /control characters/],
    ['filename with newline', { ...valid, filename: 'a\nb' }, /control characters/],
    ['filename not a string', { ...valid, filename: 42 }, /filename/],
    ['mimeType missing', { filename: 'a', size: 1 }, /mimeType/],
    ['mimeType without subtype', { ...valid, mimeType: 'text' }, /mimeType must be a media type/],
    ['mimeType with spaces', { ...valid, mimeType: 'text/ plain' }, /mimeType must be a media type/],
    ['mimeType with CRLF', { ...valid, mimeType: 'text/plain\r\nX-Evil: 1' }, /mimeType must be a media type/],
    ['size missing', { filename: 'a', mimeType: 'text/plain' }, /size/],
    ['size negative', { ...valid, size: -1 }, /size must not be negative/],
    ['size fractional', { ...valid, size: 1.5 }, /size must be a whole number/],
    ['size a string', { ...valid, size: '10' }, /size must be a whole number/],
    ['sha256 too short', { ...valid, sha256: 'abc' }, /sha256 must be 64 hexadecimal/],
    ['sha256 not hex', { ...valid, sha256: 'z'.repeat(64) }, /sha256 must be 64 hexadecimal/],
    ['unknown property', { ...valid, owner: 'someone-else' }, /property owner is not allowed/],
  ])('400 for %s, naming the field', async (_label, body, message) => {
    const res = await post(body).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
  });

  it.each([
    ['null', null],
    ['an array', [valid]],
    ['a number', 42],
    ['a string', 'hello'],
  ])('400 for a JSON body that is %s', async (_label, body) => {
    const res = await post(body).expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
  });

  it('400 for malformed JSON, without parser internals', async () => {
    const res = await request(t.http)
      .post('/api/v1/storage/upload')
      .set('x-api-key', key)
      .set('Content-Type', 'application/json')
      .send('{"filename": "a", ')
      .expect(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    expect(JSON.stringify(res.body)).not.toMatch(/at |\.js|node_modules/);
  });

  it('413 for a size over EDS_MAX_UPLOAD_BYTES, saying the limit', async () => {
    const res = await post({ ...valid, size: 1_000_001 }).expect(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.stringContaining('1000000') });
    await post({ ...valid, size: 1_000_000 }).expect(201);
  });

  it('413 for a JSON body over 64 KiB', async () => {
    const res = await post({ ...valid, filename: 'x'.repeat(70 * 1024) }).expect(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
  });

  it.each([
    ['text/plain', 'filename=a'],
    ['application/x-www-form-urlencoded', 'filename=a&mimeType=text%2Fplain&size=1'],
  ])('415 for a %s body', async (type, body) => {
    const res = await request(t.http).post('/api/v1/storage/upload').set('x-api-key', key).set('Content-Type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ statusCode: 415, error: 'Unsupported Media Type', message: expect.any(String) });
  });

  it('stores nothing for a refused request', async () => {
    const [{ count: before }] = await t.sql<{ count: string }>(`SELECT count(*) FROM stored_files`);
    await post({ ...valid, size: -5 }).expect(400);
    await post({ ...valid, size: 10 ** 12 }).expect(413);
    const [{ count: after }] = await t.sql<{ count: string }>(`SELECT count(*) FROM stored_files`);
    expect(after).toBe(before);
  });
});
