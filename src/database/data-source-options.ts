import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';

/**
 * The one description of how EDS talks to Postgres, shared by the app
 * (DatabaseModule), the TypeORM CLI (ormconfig.ts) and the test harness.
 * The schema changes only through migrations: synchronize stays off everywhere.
 */
export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: [join(__dirname, '..', '**', '*.entity.{ts,js}')],
    migrations: [join(__dirname, '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+: no extension to install.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    extra: {
      max: 10,
      // Fail fast when the database is unreachable instead of hanging requests.
      connectionTimeoutMillis: 5_000,
    },
  };
}
