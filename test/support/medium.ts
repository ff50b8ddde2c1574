import { type ModuleMetadata } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { appConfig, authConfig, keysConfig } from '../../src/config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { createTestDatabase, dropTestDatabase } from './test-database';

/**
 * The middle tier of tests (immich's "medium" specs): the service under test
 * with its real repositories on a real PostgreSQL (a fresh clone of the
 * migrated template), and no HTTP. `metadata` names what the spec needs.
 */
export interface MediumTest {
  module: TestingModule;
  sql<T = Record<string, unknown>>(query: string, params?: unknown[]): Promise<T[]>;
  destroy(): Promise<void>;
}

export async function startMedium(metadata: ModuleMetadata): Promise<MediumTest> {
  const url = await createTestDatabase();
  const module = await Test.createTestingModule({
    ...metadata,
    imports: [
      ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, cache: false, load: [appConfig, authConfig, keysConfig] }),
      TypeOrmModule.forRoot(dataSourceOptions(url)),
      ...(metadata.imports ?? []),
    ],
  }).compile();
  await module.init();
  return {
    module,
    sql: async <T>(query: string, params?: unknown[]) => (await module.get(DataSource).query(query, params)) as T[],
    destroy: async () => {
      await module.close();
      await dropTestDatabase(url);
    },
  };
}
