import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConfigurationError, databaseConfig } from '../config';
import { dataSourceOptions } from './data-source-options';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [databaseConfig.KEY],
      useFactory: (db: ConfigType<typeof databaseConfig>) => {
        if (!db.url) throw new ConfigurationError('Invalid configuration: DATABASE_URL is not set');
        // Pending migrations run at start; a fresh database gets the whole schema.
        return { ...dataSourceOptions(db.url), migrationsRun: true, retryAttempts: 2, retryDelay: 1_000 };
      },
    }),
  ],
})
export class DatabaseModule {}
