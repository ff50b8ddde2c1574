import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ClockModule } from '../common/clock';
import { FirstAdminService } from './first-admin.service';
import { ManagerAccountsService } from './manager-accounts.service';
import { Manager } from './manager.entity';
import { ManagerRepository } from './manager.repository';
import { ManagersService } from './managers.service';
import { PasswordHasher } from './password-hasher';

@Module({
  imports: [TypeOrmModule.forFeature([Manager]), AuditModule, ClockModule],
  providers: [ManagerRepository, ManagersService, ManagerAccountsService, PasswordHasher, FirstAdminService],
  exports: [ManagersService, ManagerAccountsService, FirstAdminService],
})
export class ManagersModule {}
