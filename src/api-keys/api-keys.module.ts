import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import { ApiKeyCache } from './api-key.cache';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeysService } from './api-keys.service';
import { KeyRevocationListener } from './key-revocation.listener';
import { LastUsedTracker } from './last-used.tracker';
import { MeController } from './me.controller';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey]), PassportModule],
  controllers: [MeController],
  providers: [
    ApiKeyRepository,
    ApiKeysService,
    ApiKeyCache,
    KeyRevocationListener,
    LastUsedTracker,
    ApiKeyStrategy,
    ApiKeyGuard,
    ApiKeyFailureLimiter,
  ],
  exports: [ApiKeysService, ApiKeyGuard, ApiKeyFailureLimiter, LastUsedTracker],
})
export class ApiKeysModule {}
