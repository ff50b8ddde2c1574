import request from 'supertest';
import { DataSource } from 'typeorm';
import { InitialSchema1795854518526 } from '../migrations/1795854518526-InitialSchema';
import { generateApiKey, hashApiKey } from '../src/api-keys/api-key-format';
import { dataSourceOptions } from '../src/database/data-source-options';
import { createTestDatabase, dropTestDatabase } from './support/test-database';
import { startTestApp } from './support/test-app';

/** The migrations before the key life cycle: what a database in the field has. */
const BEFORE_KEY_LIFECYCLE = [InitialSchema1795854518526];

describe('Key life-cycle migration (e2e)', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(false);
  });
  afterAll(async () => {
    await dropTestDatabase(url);
  });

  async function withDataSource<T>(migrations: Array<new () => unknown> | undefined, work: (ds: DataSource) => Promise<T>): Promise<T> {
    const options = dataSourceOptions(url);
    const ds = new DataSource(migrations ? { ...options, migrations } : options);
    await ds.initialize();
    try {
      return await work(ds);
    } finally {
      await ds.destroy();
    }
  }

  it('carries existing keys forward: every scope, no expiry, still working', async () => {
    const plaintext = generateApiKey();
    const keyId = await withDataSource(BEFORE_KEY_LIFECYCLE, async (ds) => {
      await ds.runMigrations({ transaction: 'each' });
      expect(await ds.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name = 'scopes'`)).toEqual([]);
      const [manager] = await ds.query(
        `INSERT INTO managers (email, password_hash, role) VALUES ('legacy@example.com', 'x', 'manager') RETURNING id`,
      );
      const [key] = await ds.query(
        `INSERT INTO api_keys (owner_id, name, key_hash, last_four, last_used_at) VALUES ($1, 'Legacy key', $2, $3, now() - interval '2 days') RETURNING id`,
        [manager.id, hashApiKey(plaintext), plaintext.slice(-4)],
      );
      return key.id as string;
    });

    const applied = await withDataSource(undefined, (ds) => ds.runMigrations({ transaction: 'each' }));
    // KeyLifecycle first; later migrations may follow it.
    expect(applied[0]?.name).toMatch(/^KeyLifecycle\d+$/);

    const [row] = await withDataSource(undefined, (ds) =>
      ds.query(`SELECT name, is_active, scopes, expires_at, replaced_by_id, rolled_at, last_used_at FROM api_keys WHERE id = $1`, [keyId]),
    );
    expect(row).toMatchObject({
      name: 'Legacy key',
      is_active: true,
      scopes: ['files:read', 'files:write', 'files:delete'],
      expires_at: null,
      replaced_by_id: null,
      rolled_at: null,
    });
    expect(row.last_used_at).toBeInstanceOf(Date);

    // And the app agrees: the old key authenticates with every scope and no expiry.
    const t = await startTestApp({ databaseUrl: url, env: { EDS_ADMIN_EMAIL: undefined, EDS_ADMIN_PASSWORD: undefined } });
    try {
      const me = await request(t.http).get('/api/v1/me').set('x-api-key', plaintext).expect(200);
      expect(me.body).toMatchObject({ keyId, name: 'Legacy key', scopes: ['files:read', 'files:write', 'files:delete'], expiresAt: null });
      await request(t.http).get('/api/v1/storage/usage').set('x-api-key', plaintext).expect(200);
      await request(t.http).post('/api/v1/storage/upload').set('x-api-key', plaintext).send({ filename: 'a', mimeType: 'text/plain', size: 1 }).expect(201);
    } finally {
      await t.destroy(); // keeps the database (it was given), removes the data dir
    }
  });

  it('refuses a key without scopes or with an unknown one (check constraint)', async () => {
    await withDataSource(undefined, async (ds) => {
      const [key] = await ds.query(`SELECT id FROM api_keys LIMIT 1`);
      await expect(ds.query(`UPDATE api_keys SET scopes = '{}' WHERE id = $1`, [key.id])).rejects.toThrow(/chk_api_keys_scopes/);
      await expect(ds.query(`UPDATE api_keys SET scopes = '{files:admin}' WHERE id = $1`, [key.id])).rejects.toThrow(/chk_api_keys_scopes/);
    });
  });

  it('reverts cleanly and applies again, keeping the keys', async () => {
    await withDataSource(undefined, async (ds) => {
      // Undo the migrations after KeyLifecycle, then KeyLifecycle itself.
      const lifecycle = ds.migrations.findIndex((m) => /^KeyLifecycle/.test(m.name ?? m.constructor.name));
      for (let i = ds.migrations.length - 1; i >= lifecycle; i--) await ds.undoLastMigration({ transaction: 'each' });
      expect(await ds.query(`SELECT to_regclass('audit_events') AS t`)).toEqual([{ t: null }]);
      const [{ count }] = await ds.query(`SELECT count(*) FROM api_keys`);
      expect(count).toBe('1');
      await ds.runMigrations({ transaction: 'each' });
      const [row] = await ds.query(`SELECT scopes FROM api_keys`);
      expect(row.scopes).toEqual(['files:read', 'files:write', 'files:delete']);
    });
  });
});
