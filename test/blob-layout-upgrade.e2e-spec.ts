import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BlobReconciler } from '../src/storage/blob-reconciler';
import { adminActor, createApiKey } from './support/factories';
import { randomContent, sha256, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * Files stored by an EDS from before the flat blob layout, whose blobs lie in
 * a directory of their file's own (`blobs/<2 hex>/<fileId>/<attemptId>`):
 * after the upgrade they download, range and delete as before, and
 * reconciliation counts them as present.
 */
describe('Blobs in the layout before the flat one (e2e, fs driver)', () => {
  let t: TestApp;
  let c: StorageClient;

  beforeAll(async () => {
    t = await startTestApp();
    c = await StorageClient.for(t, (await createApiKey(t, await adminActor(t))).key);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** Stores a file, then moves its blob to where the old layout kept it. */
  async function storedByAnOlderEds(size: number): Promise<{ id: string; content: Buffer; oldDir: string }> {
    const content = randomContent(size);
    const { id } = await c.upload(content);
    const [{ blob_key: key }] = await t.sql<{ blob_key: string }>(`SELECT blob_key FROM stored_files WHERE id = $1`, [id]);
    const attempt = key.split('/')[1];
    const blobs = join(t.dataDir, 'blobs');
    const oldDir = join(blobs, id.slice(0, 2), id);
    await mkdir(oldDir, { recursive: true });
    await rename(join(blobs, id.slice(0, 3), `${id}.${attempt}`), join(oldDir, attempt));
    expect(await readdir(join(blobs, id.slice(0, 3)))).not.toContain(`${id}.${attempt}`);
    return { id, content, oldDir };
  }

  it('downloads whole and in ranges, with the same ETag', async () => {
    const { id, content } = await storedByAnOlderEds(300_000);
    const whole = await c.download(id);
    expect(whole.status).toBe(200);
    expect(sha256(whole.body)).toBe(sha256(content));
    expect(whole.headers.get('etag')).toBe(`"${sha256(content)}"`);
    const ranged = await c.download(id, { range: 'bytes=1000-1999' });
    expect(ranged.status).toBe(206);
    expect(ranged.body.equals(content.subarray(1000, 2000))).toBe(true);
  });

  it('is present to reconciliation, and goes with its file; an old orphan is removed', async () => {
    const { id, oldDir } = await storedByAnOlderEds(4096);
    // A blob an older EDS left without a row (a crash between its write and its commit), a day old.
    const orphanId = randomUUID();
    const orphan = join(t.dataDir, 'blobs', orphanId.slice(0, 2), orphanId, randomUUID());
    await mkdir(dirname(orphan), { recursive: true });
    await writeFile(orphan, 'left behind');
    const dayAgo = new Date(Date.now() - 24 * 3_600_000);
    await utimes(orphan, dayAgo, dayAgo);

    const report = await t.app.get(BlobReconciler).run();
    expect(report.missing.map((m) => m.id)).not.toContain(id);
    expect(report.orphansRemoved).toBe(1);
    expect(existsSync(orphan)).toBe(false);
    expect((await c.json('DELETE', `/api/v1/storage/files/${id}`)).status).toBe(204);
    expect(existsSync(oldDir)).toBe(false);
    expect((await c.download(id)).status).toBe(404);
  });
});
