import { ApiKeysService } from '../src/api-keys/api-keys.service';
import { createApiKey, createManager } from './support/factories';
import { randomContent, StorageClient } from './support/storage-client';
import { startTestApp, type TestApp } from './support/test-app';

/** Every file records the key that created it (DESIGN.md §5b), and keeps that after the key changes. */
describe('File attribution: uploadedBy (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('names the key that created the file, in the upload answer, the metadata and the listing', async () => {
    const owner = await createManager(t);
    const key = await createApiKey(t, owner, 'Nightly backup');
    const c = await StorageClient.for(t, key.key);
    const pending = await c.start({ size: 3, filename: 'a.txt' });
    expect(pending.uploadedBy).toEqual({ keyId: key.id, name: 'Nightly backup' });
    const put = await c.put(pending.id, Buffer.from('abc'));
    expect(put.body.uploadedBy).toEqual({ keyId: key.id, name: 'Nightly backup' });
    const meta = await c.json('GET', `/api/v1/storage/files/${pending.id}`);
    expect(meta.body.uploadedBy).toEqual({ keyId: key.id, name: 'Nightly backup' });
    const list = await c.json<{ items: Array<{ id: string; uploadedBy: unknown }> }>('GET', '/api/v1/storage/files');
    expect(list.body.items).toEqual([expect.objectContaining({ id: pending.id, uploadedBy: { keyId: key.id, name: 'Nightly backup' } })]);
  });

  it('after a roll: files keep the old key, new uploads name the replacement', async () => {
    const owner = await createManager(t);
    const old = await createApiKey(t, owner, 'CI uploader');
    const before = await (await StorageClient.for(t, old.key)).upload(randomContent(10));
    const rolled = await t.app.get(ApiKeysService).roll(owner, old.id, '24h');
    const after = await (await StorageClient.for(t, rolled.plaintext)).upload(randomContent(10));

    const c = await StorageClient.for(t, rolled.plaintext);
    expect((await c.json('GET', `/api/v1/storage/files/${before.id}`)).body.uploadedBy).toEqual({ keyId: old.id, name: 'CI uploader' });
    expect((await c.json('GET', `/api/v1/storage/files/${after.id}`)).body.uploadedBy).toEqual({
      keyId: rolled.key.id,
      name: rolled.key.name,
    });
    expect(rolled.key.id).not.toBe(old.id);
  });

  it('after the key is deleted: its files keep its id and name', async () => {
    const owner = await createManager(t);
    const doomed = await createApiKey(t, owner, 'Old laptop');
    const file = await (await StorageClient.for(t, doomed.key)).upload(randomContent(5));
    await t.app.get(ApiKeysService).deactivate(owner, doomed.id);
    await t.app.get(ApiKeysService).delete(owner, doomed.id);
    await expect(t.sql('SELECT 1 FROM api_keys WHERE id = $1', [doomed.id])).resolves.toEqual([]);

    const other = await StorageClient.for(t, (await createApiKey(t, owner, 'new laptop')).key);
    const meta = await other.json('GET', `/api/v1/storage/files/${file.id}`);
    expect(meta.status).toBe(200);
    expect(meta.body.uploadedBy).toEqual({ keyId: doomed.id, name: 'Old laptop' });
  });

  it('files stored before attribution existed answer uploadedBy null', async () => {
    const owner = await createManager(t);
    const c = await StorageClient.for(t, (await createApiKey(t, owner)).key);
    const file = await c.upload(randomContent(4));
    // What the migration leaves on rows that existed before it: nothing known.
    await t.sql(
      `UPDATE stored_files SET upload_source = NULL, uploaded_by_key_id = NULL, uploaded_by_key_name = NULL WHERE id = $1`,
      [file.id],
    );
    const meta = await c.json('GET', `/api/v1/storage/files/${file.id}`);
    expect(meta.status).toBe(200);
    expect(meta.body.uploadedBy).toBeNull();
  });

  it('the database refuses a half-recorded uploader', async () => {
    const owner = await createManager(t);
    const file = await (await StorageClient.for(t, (await createApiKey(t, owner)).key)).upload(randomContent(4));
    await expect(t.sql(`UPDATE stored_files SET uploaded_by_key_name = NULL WHERE id = $1`, [file.id])).rejects.toThrow(
      /chk_stored_files_upload_source/,
    );
  });
});
