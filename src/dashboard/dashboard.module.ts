import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ManagersModule } from '../managers/managers.module';
import { DashboardApiKeysController } from './dashboard-api-keys.controller';
import { DashboardAuthController } from './dashboard-auth.controller';
import { DashboardManagersController } from './dashboard-managers.controller';
import { LoginAccountLimiter, LoginAddressLimiter } from './login-failure.limiters';
import { PgSessionStore } from './pg-session.store';
import { DashboardSession } from './session.entity';
import { SessionRepository } from './session.repository';

@Module({
  imports: [TypeOrmModule.forFeature([DashboardSession]), ApiKeysModule, ManagersModule],
  controllers: [DashboardAuthController, DashboardApiKeysController, DashboardManagersController],
  providers: [SessionRepository, PgSessionStore, LoginAddressLimiter, LoginAccountLimiter],
  exports: [PgSessionStore],
})
export class DashboardModule {}
