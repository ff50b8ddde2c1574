import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit';
import { ClockModule } from '../common/clock';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { SharedFailureCounter } from '../common/shared-failure-counter';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import { ApiKeyCache } from './api-key.cache';
import { ApiKey } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyRouteGuard } from './api-key-route.guard';
import { ApiKeyScopeGuard } from './api-key-scope.guard';
import { ApiKeyStrategy } from './api-key.strategy';
import { ApiKeyUsageDay } from './api-key-usage-day.entity';
import { ApiKeyUsageRepository } from './api-key-usage.repository';
import { ApiKeyUsageService } from './api-key-usage.service';
import { ApiKeysService } from './api-keys.service';
import { KeyExpirySweeper } from './key-expiry.sweeper';
import { KeyHygieneService } from './key-hygiene.service';
import { KeyRevocationListener } from './key-revocation.listener';
import { LastUsedTracker } from './last-used.tracker';
import { MeController } from './me.controller';
import { KeyLeakReportsService } from './key-leak-reports.service';
import { KeyReportsController } from './key-reports.controller';
import { LeakReportPagesController } from './leak-report-pages.controller';
import { LeakReportThrottle } from './leak-report.throttle';
import { RefusalTracker } from './refusal.tracker';

/**
 * API keys: their life cycle (ApiKeysService), how the dashboard reads them
 * (KeyHygieneService, ApiKeyUsageService), and the check on every route
 * marked @ApiKeyAuth(), applied here once as the app's global guard. What
 * other modules may use is named in ./index.ts.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKey, ApiKeyUsageDay]), PassportModule, AuditModule, ClockModule],
  controllers: [MeController, KeyReportsController, LeakReportPagesController],
  providers: [
    ApiKeyRepository,
    ApiKeyUsageRepository,
    ApiKeysService,
    ApiKeyAuthenticator,
    ApiKeyUsageService,
    KeyHygieneService,
    ApiKeyCache,
    KeyRevocationListener,
    LastUsedTracker,
    RefusalTracker,
    KeyExpirySweeper,
    KeyLeakReportsService,
    LeakReportThrottle,
    ApiKeyStrategy,
    ApiKeyGuard,
    ApiKeyScopeGuard,
    ApiKeyFailureLimiter,
    { provide: APP_GUARD, useClass: ApiKeyRouteGuard },
    // Failure counters every instance shares; the dashboard's login limiters use it too.
    SharedFailureCounter,
  ],
  exports: [ApiKeysService, ApiKeyUsageService, KeyHygieneService, SharedFailureCounter],
})
export class ApiKeysModule {}
