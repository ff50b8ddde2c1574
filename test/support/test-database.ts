import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { randomBytes } from 'node:crypto';
import type { Client } from 'pg';
import { TEMPLATE_DB, withDatabase } from './database-url';
import { withClient } from './sql';

function adminUrl(): string {
  const url = process.env.EDS_TEST_ADMIN_URL;
  if (!url) throw new Error('EDS_TEST_ADMIN_URL is not set: run through jest (test/support/global-setup.ts)');
  return url;
}

function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  return withClient(adminUrl(), fn);
}

/** A fresh database with the migrated schema (cloned), or empty when `migrated` is false. */
export async function createTestDatabase(migrated = true): Promise<string> {
  const name = `eds_t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}${migrated ? ` TEMPLATE ${TEMPLATE_DB}` : ''}`));
  return withDatabase(adminUrl(), name);
}

export async function dropTestDatabase(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
}

/**
 * A DataSource on `url` for the length of `work`: the real options, with only
 * `migrations` when given (to build the schema as an older release had it).
 */
export async function withDataSourceOn<T>(
  url: string,
  migrations: Array<new () => unknown> | undefined,
  work: (ds: DataSource) => Promise<T>,
): Promise<T> {
  const options = dataSourceOptions(url);
  const ds = new DataSource(migrations ? { ...options, migrations } : options);
  await ds.initialize();
  try {
    return await work(ds);
  } finally {
    await ds.destroy();
  }
}
