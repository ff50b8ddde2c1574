import 'reflect-metadata';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';
import { runningEmbeddedDatabaseUrl } from './src/database/embedded-postgres';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:*`): DATABASE_URL,
 * or else the embedded PostgreSQL that a running `npm start` keeps in
 * EDS_DATA_DIR (default ./data). Its URL, password included, is never logged.
 */
const dataDir = resolve(process.env.EDS_DATA_DIR?.trim() || 'data');
const url = process.env.DATABASE_URL?.trim() || runningEmbeddedDatabaseUrl(join(dataDir, 'postgres'));
if (!url) {
  throw new Error(`Set DATABASE_URL, or start EDS (npm start) so that its embedded PostgreSQL in ${dataDir} runs`);
}

export default new DataSource(dataSourceOptions(url));
