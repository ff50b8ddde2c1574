import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { ApiKeysModule } from './api-keys';
import { appConfig, authConfig, databaseConfig, keysConfig, storageConfig } from './config';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { ManagersModule } from './managers/managers.module';
import { StorageModule } from './storage';

@Module({
  imports: [
    ConfigModule.forRoot({
      isGlobal: true,
      ignoreEnvFile: true,
      cache: false,
      load: [appConfig, authConfig, databaseConfig, keysConfig, storageConfig],
    }),
    // Periodic maintenance (expired keys, uploads and sessions) runs as @Interval jobs.
    ScheduleModule.forRoot(),
    DatabaseModule,
    ManagersModule,
    ApiKeysModule,
    StorageModule,
    DashboardModule,
    HealthModule,
  ],
})
export class AppModule {}
