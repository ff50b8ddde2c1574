import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, runningEmbeddedDatabaseUrl } from '../src/database/embedded-postgres';
import { spawnApp } from './support/app-process';
import { findMotoServer, MOTO_MISSING, startMoto } from './support/moto';
import { insertApiKey, withClient } from './support/sql';
import { createTestDatabase, dropTestDatabase } from './support/test-database';
import { blobEntries } from './support/storage-client';
import { sleep, until } from './support/wait';

const ADMIN = { EDS_ADMIN_EMAIL: 'ops@example.com', EDS_ADMIN_PASSWORD: 'ops-password-123' };

/** A key for the bootstrap admin of the app process. */
const insertKey = (databaseUrl: string) =>
  withClient(databaseUrl, (db) => insertApiKey(db, ADMIN.EDS_ADMIN_EMAIL, 'lifecycle'));


describe('Process lifecycle (e2e, real processes and signals)', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'eds-proc-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('on SIGTERM stops accepting, finishes the in-flight upload, flushes last-use stamps and exits 0', async () => {
    const databaseUrl = await createTestDatabase();
    try {
      const app = await spawnApp({ ...ADMIN, DATABASE_URL: databaseUrl, EDS_DATA_DIR: dataDir, EDS_LAST_USED_FLUSH_MS: '60000' });
      const { id: keyId, key } = await insertKey(databaseUrl);
      const me = await fetch(`${app.url}/api/v1/me`, { headers: { 'x-api-key': key } });
      expect(me.status).toBe(200);

      const size = 256 * 1024;
      const created = await fetch(`${app.url}/api/v1/storage/upload`, {
        method: 'POST',
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ filename: 'slow.bin', mimeType: 'application/octet-stream', size }),
      });
      expect(created.status).toBe(201);
      const { id: fileId } = (await created.json()) as { id: string };

      // Half the body, then SIGTERM, then the other half.
      const { port } = new URL(app.url);
      const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'PUT', path: `/api/v1/storage/files/${fileId}/content`, headers: { 'x-api-key': key, 'content-length': size } },
          (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode!, body }));
          },
        );
        req.on('error', reject);
        req.write(Buffer.alloc(size / 2, 7));
        // SIGTERM once the upload is in flight (its part file exists), the
        // other half once the app has stopped listening: while draining, new
        // connections are refused.
        until(async () => (await blobEntries({ dataDir }, fileId)).some((f) => f.endsWith('.part')), 10_000, 'the upload is streaming')
          .then(() => app.child.kill('SIGTERM'))
          .then(() => until(() => fetch(`${app.url}/health/live`).then(() => false, () => true), 10_000, 'new connections are refused'))
          .then(() => req.end(Buffer.alloc(size / 2, 7)), reject);
      });

      const finished = await upload;
      expect(finished.status).toBe(200);
      expect(JSON.parse(finished.body)).toMatchObject({ id: fileId, status: 'ready', size });
      expect(await app.exited).toEqual({ code: 0, signal: null });

      const [stamp] = await withClient(databaseUrl, async (c) => (await c.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [keyId])).rows);
      expect(stamp.last_used_at).toBeInstanceOf(Date);
      const [file] = await withClient(databaseUrl, async (c) => (await c.query(`SELECT status FROM stored_files WHERE id = $1`, [fileId])).rows);
      expect(file.status).toBe('ready');
    } finally {
      await dropTestDatabase(databaseUrl);
    }
  }, 90_000);

  it('on a Ctrl-C to its process group (as a terminal sends it) keeps its own PostgreSQL up until the upload and the last-use flush are done', async () => {
    const env = { ...ADMIN, EDS_DATA_DIR: dataDir, EDS_LAST_USED_FLUSH_MS: '60000' };
    const app = await spawnApp(env, 60_000, { detached: true });
    const databaseUrl = runningEmbeddedDatabaseUrl(join(dataDir, 'postgres'));
    expect(databaseUrl).toMatch(/^postgres:\/\//);
    const { id: keyId, key } = await insertKey(databaseUrl!);
    expect((await fetch(`${app.url}/api/v1/me`, { headers: { 'x-api-key': key } })).status).toBe(200);

    const size = 256 * 1024;
    const created = await fetch(`${app.url}/api/v1/storage/upload`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'ctrl-c.bin', mimeType: 'application/octet-stream', size }),
    });
    expect(created.status).toBe(201);
    const { id: fileId } = (await created.json()) as { id: string };

    const { port } = new URL(app.url);
    const upload = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, method: 'PUT', path: `/api/v1/storage/files/${fileId}/content`, headers: { 'x-api-key': key, 'content-length': size } },
        (res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.write(Buffer.alloc(size / 2, 7));
      until(async () => (await blobEntries({ dataDir }, fileId)).some((f) => f.endsWith('.part')), 10_000, 'the upload is streaming')
        .then(() => process.kill(-app.child.pid!, 'SIGINT'))
        .then(() => until(() => fetch(`${app.url}/health/live`).then(() => false, () => true), 10_000, 'new connections are refused'))
        // Past the moment a PostgreSQL in the same group would have stopped.
        .then(() => sleep(300))
        .then(() => req.end(Buffer.alloc(size / 2, 7)), reject);
    });

    const finished = await upload;
    expect(finished.status).toBe(200);
    expect(JSON.parse(finished.body)).toMatchObject({ id: fileId, status: 'ready', size });
    expect(await app.exited).toEqual({ code: 0, signal: null });
    expect(app.output()).not.toMatch(/Could not write key use|terminating connection/);
    expect(runningEmbeddedDatabaseUrl(join(dataDir, 'postgres'))).toBeNull(); // stopped, last

    const again = await spawnApp(env);
    try {
      const url = runningEmbeddedDatabaseUrl(join(dataDir, 'postgres'))!;
      const [stamp] = await withClient(url, async (c) => (await c.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [keyId])).rows);
      expect(stamp.last_used_at).toBeInstanceOf(Date);
      const [file] = await withClient(url, async (c) => (await c.query(`SELECT status FROM stored_files WHERE id = $1`, [fileId])).rows);
      expect(file.status).toBe('ready');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 120_000);

  it('starts, first time, in at most 20 readable lines: no secret, the setup link as a banner, no route mapping', async () => {
    const app = await spawnApp({ EDS_DATA_DIR: dataDir, EDS_ADMIN_EMAIL: undefined, EDS_ADMIN_PASSWORD: undefined });
    app.child.kill('SIGTERM');
    expect(await app.exited).toEqual({ code: 0, signal: null });
    const lines = app.output().split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeLessThanOrEqual(20);
    const password = readFileSync(join(dataDir, '.postgres-password'), 'utf8').trim();
    expect(app.output()).not.toContain(password);
    expect(app.output()).not.toMatch(/postgres:\/\/|Mapped \{|dependencies initialized/);
    expect(app.output()).toMatch(/\n=+\n  No manager exists yet[^\n]*\n\n  http:\/\/localhost:\d+\/dashboard\/setup\?token=[\w-]+\n/);
    expect(app.output()).toContain('the TypeORM CLI, npm run migration:*, finds it while EDS runs');
  }, 60_000);

  it('runs its own PostgreSQL, stops it on SIGTERM, and recovers from a SIGKILLed run', async () => {
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const postmaster = () => Number(readFileSync(pidFile, 'utf8').split('\n')[0]);

    const first = await spawnApp({ ...ADMIN, EDS_DATA_DIR: dataDir });
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    const orphan = postmaster();
    first.child.kill('SIGKILL');
    await first.exited;
    expect(isAlive(orphan)).toBe(true); // a SIGKILLed run leaves its postmaster behind

    const second = await spawnApp({ ...ADMIN, EDS_DATA_DIR: dataDir });
    expect(isAlive(orphan)).toBe(false); // …which the next start stops before starting its own
    expect((await fetch(`${second.url}/health`)).status).toBe(200);
    const own = postmaster();
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    for (let i = 0; i < 50 && isAlive(own); i++) await sleep(100);
    expect(isAlive(own)).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  }, 120_000);
});

describe('Bad configuration (e2e, real process)', () => {
  it.each([
    [{ EDS_STORAGE_DRIVER: 'ftp' }, 'Invalid configuration: EDS_STORAGE_DRIVER must be "fs" or "s3"'],
    [{ DATABASE_URL: 'mysql://u@h/db' }, 'Invalid configuration: DATABASE_URL must be a postgres:// URL, e.g. postgres://user:pass@host:5432/eds'],
    [{ PORT: 'eighty' }, 'Invalid configuration: PORT must be an integer number'],
    [{ EDS_STORAGE_DRIVER: 's3' }, 'Invalid configuration: S3_BUCKET is required when EDS_STORAGE_DRIVER=s3'],
    [{ EDS_DATA_DIR: '/etc/hostname/data' }, 'Invalid configuration: EDS_DATA_DIR /etc/hostname/data is not a writable directory (ENOTDIR)'],
  ])('%j stops the start with one clear line naming the variable', async (env, line) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'eds-badcfg-'));
    try {
      await expect(spawnApp({ EDS_DATA_DIR: dataDir, ...env }, 20_000)).rejects.toThrow(
        new RegExp(`exited before listening:\\n${line.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n$`),
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('An S3 bucket that is not there (e2e, real process)', () => {
  const bin = findMotoServer();
  const maybe = bin ? it : it.skip;
  if (!bin) console.warn(MOTO_MISSING);

  maybe('stops the start with one line naming S3_BUCKET', async () => {
    const moto = await startMoto(bin!);
    const dataDir = await mkdtemp(join(tmpdir(), 'eds-nobucket-'));
    try {
      const env = {
        EDS_DATA_DIR: dataDir,
        EDS_STORAGE_DRIVER: 's3',
        S3_BUCKET: 'no-such-bucket',
        S3_ENDPOINT: moto.endpoint,
        S3_REGION: 'us-east-1',
        S3_ACCESS_KEY_ID: 'test',
        S3_SECRET_ACCESS_KEY: 'test',
        S3_FORCE_PATH_STYLE: 'true',
      };
      await expect(spawnApp(env, 30_000)).rejects.toThrow(
        new RegExp(`\\nInvalid configuration: S3_BUCKET no-such-bucket is not a writable bucket at ${moto.endpoint.replace(/[.]/g, '\\.')} \\(NoSuchBucket\\)\\n$`),
      );
    } finally {
      await moto.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
