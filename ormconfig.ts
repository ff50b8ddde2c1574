import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './src/database/data-source-options';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:*`). It needs a
 * DATABASE_URL; `npm start` with the embedded PostgreSQL prints the one it uses.
 */
const url = process.env.DATABASE_URL;
if (!url) {
  throw new Error('Set DATABASE_URL to run TypeORM CLI commands (npm start prints the embedded one)');
}

export default new DataSource(dataSourceOptions(url));
