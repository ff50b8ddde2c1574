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
