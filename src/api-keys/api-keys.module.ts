import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { keysConfig } from '../config';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { ClockModule } from '../common/clock';
import { SharedFailureCounter } from '../common/shared-failure-counter';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import { ApiKeyCache } from './api-key.cache';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyScopeGuard } from './api-key-scope.guard';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeyUsageDay } from './api-key-usage-day.entity';
import { ApiKeyUsageRepository } from './api-key-usage.repository';
import { ApiKeyUsageService } from './api-key-usage.service';
import { ApiKeysService } from './api-keys.service';
import { KeyExpirySweeper } from './key-expiry.sweeper';
import { type HygieneThresholds, KEY_HYGIENE_THRESHOLDS } from './key-hygiene';
import { KeyHygieneService } from './key-hygiene.service';
import { KeyLifecycleService } from './key-lifecycle.service';
import { KeyRevocationListener } from './key-revocation.listener';
import { LastUsedTracker } from './last-used.tracker';
import { MeController } from './me.controller';

@Module({
  imports: [TypeOrmModule.forFeature([ApiKey, ApiKeyUsageDay]), PassportModule, AuditModule, ClockModule],
  controllers: [MeController],
  providers: [
    ApiKeyRepository,
    ApiKeyUsageRepository,
    ApiKeysService,
    KeyLifecycleService,
    ApiKeyUsageService,
    KeyHygieneService,
    ApiKeyCache,
    KeyRevocationListener,
    LastUsedTracker,
    KeyExpirySweeper,
    ApiKeyStrategy,
    ApiKeyGuard,
    ApiKeyScopeGuard,
    ApiKeyFailureLimiter,
    // Failure counters every instance shares; the dashboard's login limiters use it too.
    SharedFailureCounter,
    {
      provide: KEY_HYGIENE_THRESHOLDS,
      inject: [keysConfig.KEY],
      useFactory: (keys: ConfigType<typeof keysConfig>): HygieneThresholds => ({ ...keys }),
    },
  ],
  exports: [
    ApiKeysService,
    KeyLifecycleService,
    ApiKeyUsageService,
    KeyHygieneService,
    ApiKeyGuard,
    ApiKeyScopeGuard,
    ApiKeyFailureLimiter,
    SharedFailureCounter,
    LastUsedTracker,
  ],
})
export class ApiKeysModule {}
