import type { DataSource } from 'typeorm';
import { InitialSchema1795854518526 } from '../migrations/1795854518526-InitialSchema';
import { KeyLifecycle1795857189626 } from '../migrations/1795857189626-KeyLifecycle';
import { generateApiKey, hashApiKey } from '../src/api-keys/api-key-format';
import { StorageClient } from './support/storage-client';
import { createTestDatabase, dropTestDatabase, withDataSourceOn } from './support/test-database';
import { startTestApp } from './support/test-app';

/** The migrations before file attribution: what a database in the field has. */
const BEFORE_ATTRIBUTION = [InitialSchema1795854518526, KeyLifecycle1795857189626];

describe('File attribution migration (e2e)', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(false);
  });
  afterAll(async () => {
    await dropTestDatabase(url);
  });

  const withDataSource = <T>(migrations: Array<new () => unknown> | undefined, work: (ds: DataSource) => Promise<T>): Promise<T> =>
    withDataSourceOn(url, migrations, work);

  it('carries existing files forward as "unknown" (uploadedBy null), creates pg_trgm, and reverts cleanly', async () => {
    const plaintext = generateApiKey();
    const fileId = await withDataSource(BEFORE_ATTRIBUTION, async (ds) => {
      await ds.runMigrations({ transaction: 'each' });
      const [manager] = await ds.query(`INSERT INTO managers (email, password_hash, role) VALUES ('old@example.com', 'x', 'manager') RETURNING id`);
      await ds.query(`INSERT INTO api_keys (owner_id, name, key_hash, last_four) VALUES ($1, 'Old key', $2, $3)`, [
        manager.id,
        hashApiKey(plaintext),
        plaintext.slice(-4),
      ]);
      const [file] = await ds.query(
        `INSERT INTO stored_files (owner_id, filename, mime_type, size, status, sha256, blob_key, uploaded_at)
         VALUES ($1, 'old.txt', 'text/plain', 0, 'ready', repeat('0', 64), 'none', now()) RETURNING id`,
        [manager.id],
      );
      return file.id as string;
    });

    const applied = await withDataSource(undefined, (ds) => ds.runMigrations({ transaction: 'each' }));
    expect(applied.map((m) => m.name)).toContain('FileAttribution1796120855634');
    const [row] = await withDataSource(undefined, (ds) =>
      ds.query(`SELECT upload_source, uploaded_by_key_id, uploaded_by_key_name FROM stored_files WHERE id = $1`, [fileId]),
    );
    expect(row).toEqual({ upload_source: null, uploaded_by_key_id: null, uploaded_by_key_name: null });
    await expect(withDataSource(undefined, (ds) => ds.query(`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`))).resolves.toEqual([
      { extname: 'pg_trgm' },
    ]);

    const t = await startTestApp({ databaseUrl: url, env: { EDS_ADMIN_EMAIL: undefined, EDS_ADMIN_PASSWORD: undefined } });
    try {
      const c = await StorageClient.for(t, plaintext);
      const meta = await c.json('GET', `/api/v1/storage/files/${fileId}`);
      expect(meta.status).toBe(200);
      expect(meta.body.uploadedBy).toBeNull();
    } finally {
      await t.destroy();
    }

    await withDataSource(undefined, async (ds) => {
      // Later migrations (other features') go first, then this one.
      for (;;) {
        const [last] = await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`);
        await ds.undoLastMigration({ transaction: 'each' });
        if (last.name === 'FileAttribution1796120855634') break;
      }
      expect(await ds.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'stored_files' AND column_name = 'upload_source'`)).toEqual([]);
      await ds.runMigrations({ transaction: 'each' });
      const [again] = await ds.query(`SELECT upload_source FROM stored_files WHERE id = $1`, [fileId]);
      expect(again).toEqual({ upload_source: null });
    });
  });
});
