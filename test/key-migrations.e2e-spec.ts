import request from 'supertest';
import type { DataSource } from 'typeorm';
import { InitialSchema1795854518526 } from '../migrations/1795854518526-InitialSchema';
import { KeyLifecycle1795857189626 } from '../migrations/1795857189626-KeyLifecycle';
import { generateApiKey, hashApiKey } from '../src/api-keys/api-key-format';
import { createTestDatabase, dropTestDatabase, withDataSourceOn } from './support/test-database';
import { startTestApp } from './support/test-app';

/** The migrations before the key life cycle: what a database in the field has. */
const BEFORE_KEY_LIFECYCLE = [InitialSchema1795854518526];
/** Up to and including the migration under test (later ones are run by the app, and undone first below). */
const WITH_KEY_LIFECYCLE = [InitialSchema1795854518526, KeyLifecycle1795857189626];

describe('Key life-cycle migration (e2e)', () => {
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(false);
  });
  afterAll(async () => {
    await dropTestDatabase(url);
  });

  const withDataSource = <T>(migrations: Array<new () => unknown> | undefined, work: (ds: DataSource) => Promise<T>): Promise<T> =>
    withDataSourceOn(url, migrations, work);

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

    const applied = await withDataSource(WITH_KEY_LIFECYCLE, (ds) => ds.runMigrations({ transaction: 'each' }));
    expect(applied.map((m) => m.name)).toEqual([expect.stringMatching(/^KeyLifecycle\d+$/)]);

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
      // Revert the later migrations first (each must revert cleanly too), then the key life cycle.
      const lastApplied = async (): Promise<string> =>
        ((await ds.query(`SELECT name FROM typeorm_migrations ORDER BY id DESC LIMIT 1`)) as Array<{ name: string }>)[0].name;
      while (!/^KeyLifecycle\d+$/.test(await lastApplied())) await ds.undoLastMigration({ transaction: 'each' });
      expect(await ds.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'api_keys' AND column_name = 'allowed_networks'`)).toEqual([]);
      await ds.undoLastMigration({ transaction: 'each' });
      expect(await ds.query(`SELECT to_regclass('audit_events') AS t`)).toEqual([{ t: null }]);
      const [{ count }] = await ds.query(`SELECT count(*) FROM api_keys`);
      expect(count).toBe('1');
      await ds.runMigrations({ transaction: 'each' });
      const [row] = await ds.query(`SELECT scopes, allowed_networks, leak_reported_at FROM api_keys`);
      expect(row.scopes).toEqual(['files:read', 'files:write', 'files:delete']);
      expect(row).toMatchObject({ allowed_networks: [], leak_reported_at: null });
    });
  });
});
