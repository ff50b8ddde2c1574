import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { TEMPLATE_DB, withDatabase } from './database-url';

/**
 * One PostgreSQL for the whole run: the embedded one in a fresh temp dir, or
 * the server in DATABASE_URL. The real migrations build a template database;
 * each spec clones it (CREATE DATABASE … TEMPLATE) for isolation.
 */
export default async function globalSetup(): Promise<void> {
  // The dashboard's browser bundle (public/build/) is built, not committed: the browser specs load it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  await (require('../../scripts/build-client.cjs') as { buildClient(): Promise<void> }).buildClient();

  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'eds-test-pg-'));
    const db = await startEmbeddedPostgres({ clusterDir: join(dir, 'postgres'), database: 'eds_test', logger: quietLogger }).catch(
      (error: Error) => {
        // One clear line instead of a spawn error's stack: what failed and the way around it.
        const clear = new Error(`The embedded PostgreSQL for the tests did not start: ${error.message}. Set DATABASE_URL to test against a PostgreSQL server instead.`);
        clear.stack = clear.message;
        throw clear;
      },
    );
    adminUrl = db.adminUrl;
    (globalThis as { __EDS_PG__?: { stop(): Promise<void> } }).__EDS_PG__ = db;
  }
  process.env.EDS_TEST_ADMIN_URL = adminUrl;

  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const template = new DataSource(dataSourceOptions(withDatabase(adminUrl, TEMPLATE_DB)));
  await template.initialize();
  await template.runMigrations({ transaction: 'each' });
  await template.destroy();
}

const quietLogger = { log: () => undefined, warn: console.warn, error: console.error };
