import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { StorageModule } from '../storage';
import { HealthController } from './health.controller';
import { StorageWritableIndicator } from './storage-writable.indicator';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty', logger: false }), StorageModule],
  controllers: [HealthController],
  providers: [StorageWritableIndicator],
})
export class HealthModule {}
