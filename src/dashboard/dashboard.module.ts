import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys';
import { AuditModule } from '../audit';
import { ManagersModule } from '../managers';
import { StorageModule } from '../storage';
import { DashboardAccountController } from './dashboard-account.controller';
import { DashboardApiKeysController } from './dashboard-api-keys.controller';
import { DashboardAuditController } from './dashboard-audit.controller';
import { DashboardAuthController } from './dashboard-auth.controller';
import { DashboardFileUploadsController } from './dashboard-file-uploads.controller';
import { DashboardFilesController } from './dashboard-files.controller';
import { DashboardKeyActionsController } from './dashboard-key-actions.controller';
import { DashboardManagersController } from './dashboard-managers.controller';
import { DashboardPagesController } from './dashboard-pages.controller';
import { FormOnce } from './form-once';
import { LoginAccountLimiter, LoginAddressLimiter } from './login-failure.limiters';
import { PgSessionStore } from './pg-session.store';
import { DashboardSession } from './session.entity';
import { SessionRepository } from './session.repository';

@Module({
  imports: [TypeOrmModule.forFeature([DashboardSession]), ApiKeysModule, AuditModule, ManagersModule, StorageModule],
  controllers: [
    DashboardAuthController,
    DashboardApiKeysController,
    DashboardKeyActionsController,
    DashboardManagersController,
    DashboardAuditController,
    DashboardFileUploadsController,
    DashboardFilesController,
    DashboardAccountController,
    // Last: its wildcard answers only what no other dashboard route does.
    DashboardPagesController,
  ],
  providers: [FormOnce, SessionRepository, PgSessionStore, LoginAddressLimiter, LoginAccountLimiter],
  exports: [PgSessionStore],
})
export class DashboardModule {}
