import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { StorageController } from './storage.controller';
import { StorageService } from './storage.service';
import { StoredFile } from './stored-file.entity';
import { StoredFileRepository } from './stored-file.repository';

@Module({
  imports: [TypeOrmModule.forFeature([StoredFile]), ApiKeysModule],
  controllers: [StorageController],
  providers: [StoredFileRepository, StorageService],
})
export class StorageModule {}
