import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { FirstAdminService } from './first-admin.service';
import { Manager } from './manager.entity';
import { ManagerRepository } from './manager.repository';
import { ManagersService } from './managers.service';
import { PasswordHasher } from './password-hasher';

@Module({
  imports: [TypeOrmModule.forFeature([Manager])],
  providers: [ManagerRepository, ManagersService, PasswordHasher, FirstAdminService],
  exports: [ManagersService, FirstAdminService],
})
export class ManagersModule {}
