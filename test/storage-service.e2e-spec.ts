import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { appConfig, authConfig, databaseConfig, keysConfig, storageConfig } from '../src/config';
import { DatabaseModule } from '../src/database/database.module';
import { ALL_OWNERS, ownedBy } from '../src/managers';
import { BlobStore, DASHBOARD_UPLOADER, FileContentService, StorageModule, StorageService } from '../src/storage';
import { createTestDatabase, dropTestDatabase } from './support/test-database';

/**
 * The storage rules without HTTP: the real services and repositories on a
 * real PostgreSQL with the real migrations, and a real blob directory. What
 * the API adds on top (auth, validation, wire shapes) is the e2e specs' job.
 */
describe('StorageService and FileContentService (real PostgreSQL, no HTTP)', () => {
  let moduleRef: TestingModule;
  let storage: StorageService;
  let content: FileContentService;
  let databaseUrl: string;
  let dataDir: string;
  let alice: string;
  let bob: string;
  const clock = { now: () => new Date() };
  const saved = { ...process.env };

  const body = (bytes: Buffer) => ({ stream: Readable.from([bytes]), declaredLength: bytes.length, contentType: null });
  const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), 'eds-storage-medium-'));
    Object.assign(process.env, { DATABASE_URL: databaseUrl, EDS_DATA_DIR: dataDir, EDS_MAX_UPLOAD_BYTES: '1000' });
    moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          load: [appConfig, authConfig, databaseConfig, keysConfig, storageConfig],
        }),
        DatabaseModule,
        StorageModule,
      ],
    })
      .overrideProvider(Clock)
      .useValue(clock)
      .compile();
    await moduleRef.init();
    storage = moduleRef.get(StorageService);
    content = moduleRef.get(FileContentService);
    const ds = moduleRef.get(DataSource);
    const insert = async (email: string): Promise<string> =>
      ((await ds.query(`INSERT INTO managers (email, password_hash, role) VALUES ($1, 'x', 'manager') RETURNING id`, [email])) as Array<{ id: string }>)[0].id;
    alice = await insert('alice@example.com');
    bob = await insert('bob@example.com');
  });

  afterAll(async () => {
    await moduleRef.close();
    process.env = saved;
    await dropTestDatabase(databaseUrl);
    await rm(dataDir, { recursive: true, force: true });
  });

  async function storedFile(ownerId: string, text: string) {
    const bytes = Buffer.from(text);
    const pending = await storage.createUpload(ownerId, { filename: `${text}.txt`, mimeType: 'text/plain', size: bytes.length }, 'http://x', DASHBOARD_UPLOADER);
    return content.receive(ownerId, pending.file.id, body(bytes));
  }

  it('registers a pending upload whose URL names the file, and refuses a size over the limit', async () => {
    const pending = await storage.createUpload(alice, { filename: 'a.txt', mimeType: 'text/plain', size: 10 }, 'http://h:1', DASHBOARD_UPLOADER);
    expect(pending.file).toMatchObject({ ownerId: alice, status: 'pending', size: 10, sha256: null, uploadedBy: DASHBOARD_UPLOADER });
    expect(pending.uploadUrl).toBe(`http://h:1/api/v1/storage/files/${pending.file.id}/content`);
    expect(pending.expiresAt).toBeInstanceOf(Date);
    await expect(storage.createUpload(alice, { filename: 'b', mimeType: 'text/plain', size: 1001 }, 'http://h', DASHBOARD_UPLOADER)).rejects.toMatchObject({
      code: 'SizeOverLimit',
      status: 413,
    });
  });

  it('makes a file ready with the server-computed SHA-256, once, and refuses a second upload', async () => {
    const bytes = Buffer.from('hello medium');
    const pending = await storage.createUpload(alice, { filename: 'h.txt', mimeType: 'text/plain', size: bytes.length }, 'http://x', DASHBOARD_UPLOADER);
    const ready = await content.receive(alice, pending.file.id, body(bytes));
    expect(ready).toMatchObject({ status: 'ready', sha256: sha(bytes), expiresAt: null });
    expect(ready.uploadedAt).toBeInstanceOf(Date);
    await expect(content.receive(alice, pending.file.id, body(bytes))).rejects.toMatchObject({ code: 'AlreadyUploaded', status: 409 });
  });

  it('refuses a body of the wrong size or checksum and leaves the file pending', async () => {
    const pending = await storage.createUpload(
      alice,
      { filename: 'c.txt', mimeType: 'text/plain', size: 3, sha256: sha(Buffer.from('abc')) },
      'http://x',
      DASHBOARD_UPLOADER,
    );
    await expect(content.receive(alice, pending.file.id, body(Buffer.from('ab')))).rejects.toMatchObject({ code: 'ContentLengthNotSize' });
    await expect(content.receive(alice, pending.file.id, body(Buffer.from('abd')))).rejects.toMatchObject({ code: 'ChecksumMismatch', status: 400 });
    expect((await storage.get(ownedBy(alice), pending.file.id)).status).toBe('pending');
  });

  it('refuses an expired upload with 410', async () => {
    const pending = await storage.createUpload(alice, { filename: 'late.txt', mimeType: 'text/plain', size: 1 }, 'http://x', DASHBOARD_UPLOADER);
    const later = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    clock.now = () => later;
    try {
      await expect(content.receive(alice, pending.file.id, body(Buffer.from('x')))).rejects.toMatchObject({ code: 'UploadExpired', status: 410 });
    } finally {
      clock.now = () => new Date();
    }
  });

  it('answers each owner their own files, and an all-owners scope everyone\'s', async () => {
    const mine = await storedFile(alice, 'scoped-a');
    const theirs = await storedFile(bob, 'scoped-b');
    await expect(storage.get(ownedBy(bob), mine.id)).rejects.toMatchObject({ code: 'FileNotFound', status: 404 });
    expect((await storage.get(ALL_OWNERS, mine.id)).ownerId).toBe(alice);
    const allIds = (await storage.list(ALL_OWNERS, { limit: 100 })).items.map((f) => f.id);
    expect(allIds).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const bobIds = (await storage.list(ownedBy(bob), { limit: 100 })).items.map((f) => f.id);
    expect(bobIds).toContain(theirs.id);
    expect(bobIds).not.toContain(mine.id);
    await expect(storage.delete(ownedBy(bob), mine.id)).rejects.toMatchObject({ code: 'FileNotFound' });
  });

  it('pages newest first with a cursor, ready files unless pending ones are asked for', async () => {
    const owner = (await moduleRef
      .get(DataSource)
      .query(`INSERT INTO managers (email, password_hash, role) VALUES ('pager@example.com', 'x', 'manager') RETURNING id`)) as Array<{ id: string }>;
    const id = owner[0].id;
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await storedFile(id, `page-${i}`));
    await storage.createUpload(id, { filename: 'pending.txt', mimeType: 'text/plain', size: 1 }, 'http://x', DASHBOARD_UPLOADER);
    const first = await storage.list(ownedBy(id), { limit: 3 });
    const second = await storage.list(ownedBy(id), { limit: 3, cursor: first.nextCursor! });
    expect([...first.items, ...second.items].map((f) => f.id)).toEqual(made.map((f) => f.id).reverse());
    expect(second.nextCursor).toBeNull();
    expect((await storage.list(ownedBy(id), { limit: 100, includePending: true })).items).toHaveLength(6);
    await expect(storage.list(ownedBy(id), { cursor: 'not a cursor' })).rejects.toMatchObject({ code: 'MalformedCursor', status: 400 });
    expect(await storage.usage(ownedBy(id))).toEqual({ fileCount: 5, totalBytes: made.reduce((n, f) => n + f.size, 0) });
  });

  it('deletes a file with its bytes', async () => {
    const file = await storedFile(alice, 'to-delete');
    const [{ blob_key: blobKey }] = (await moduleRef
      .get(DataSource)
      .query('SELECT blob_key FROM stored_files WHERE id = $1', [file.id])) as Array<{ blob_key: string }>;
    const blobs = moduleRef.get(BlobStore);
    expect(await blobs.exists(blobKey)).toBe(true);
    await storage.delete(ownedBy(alice), file.id);
    expect(await blobs.exists(blobKey)).toBe(false);
    await expect(storage.get(ALL_OWNERS, file.id)).rejects.toMatchObject({ code: 'FileNotFound' });
    await expect(content.open(ownedBy(alice), file.id, {})).rejects.toMatchObject({ code: 'FileNotFound' });
  });
});
