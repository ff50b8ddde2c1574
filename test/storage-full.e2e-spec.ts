import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { adminActor, createApiKey } from './support/factories';
import { blobEntries, randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * A disk that fills mid-upload (DESIGN.md §10): the blobs live on an 8 MiB
 * tmpfs (mounting needs root, as CI runs), the database stays on the test
 * PostgreSQL elsewhere, so only the blob store is full.
 */
describe('Storage full (e2e, fs driver on a small tmpfs)', () => {
  let dir: string;
  let t: TestApp;
  let client: StorageClient;
  const filler = (): string => join(dir, 'filler');

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('this spec mounts a tmpfs and must run as root (CI does)');
    dir = mkdtempSync(join(tmpdir(), 'eds-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=700', 'tmpfs', dir]);
    t = await startTestApp({ dataDir: dir });
    client = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
  });
  afterAll(async () => {
    await t?.destroy();
    if (dir) {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Fills the tmpfs with one file until the kernel refuses a byte more. */
  async function fillDisk(): Promise<void> {
    const handle = await open(filler(), 'w');
    const chunk = Buffer.alloc(64 * 1024, 1);
    try {
      for (;;) await handle.write(chunk);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    } finally {
      await handle.close();
    }
    const stats = await statfs(dir);
    expect(stats.bavail).toBe(0);
  }

  it('answers 507 for an upload that meets a full disk, keeps nothing, serves reads, and recovers by itself', async () => {
    const kept = randomContent(300_000);
    const stored = await client.upload(kept, { filename: 'kept.bin' });

    // Room for the first part of the body, not for all of it: the disk fills mid-upload.
    await fillDisk();
    await rm(filler());
    const room = (await statfs(dir)).bavail * (await statfs(dir)).bsize;
    const half = Math.floor(room / 2);
    const handle = await open(filler(), 'w');
    await handle.write(Buffer.alloc(room - half, 1));
    await handle.close();

    // More than the room left, less than the room once the filler goes.
    const content = randomContent(Math.floor(room * 0.75));
    const pending = await client.start({ size: content.length, filename: 'too-big.bin' });
    const refused = await client.put(pending.id, content);
    expect(refused.status).toBe(507);
    expect(refused.body).toEqual({
      statusCode: 507,
      error: 'Insufficient Storage',
      message: 'The storage is full; nothing was stored. Try again later',
    });
    expect(refused.headers.get('retry-after')).toBe('60');
    // Nothing partial became ready, and the partial bytes are gone.
    expect(await blobEntries(t, pending.id)).toEqual([]);
    expect((await client.json('GET', `/api/v1/storage/files/${pending.id}`)).body).toMatchObject({ status: 'pending', sha256: null });

    // A completely full disk: reads keep working, readiness stays up (saying the store is full)…
    await fillDisk();
    const read = await client.download(stored.id);
    expect(read.status).toBe(200);
    expect(sha256(read.body)).toBe(sha256(kept));
    const health = await request(t.http).get('/health').expect(200);
    expect(health.body.details.storage).toMatchObject({ status: 'up', full: true, writable: false });
    // …and a small upload is refused with 507 too.
    const small = await client.start({ size: 10, filename: 'small.bin' });
    expect((await client.put(small.id, randomContent(10))).status).toBe(507);
    expect(await blobEntries(t, small.id)).toEqual([]);

    // Space returns: the same pending uploads now succeed, with no restart.
    await rm(filler());
    const retried = await client.put(pending.id, content);
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'ready', sha256: sha256(content) });
    expect((await client.put(small.id, randomContent(10))).status).toBe(200);
    const healthy = await request(t.http).get('/health').expect(200);
    expect(healthy.body.details.storage).toEqual({ status: 'up' });
  });
});
