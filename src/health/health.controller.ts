import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { StorageWritableIndicator } from './storage-writable.indicator';

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly storage: StorageWritableIndicator,
  ) {}

  /** Liveness: the process answers. No database call, so a DB outage does not get us killed. */
  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: database reachable and storage writable; otherwise 503 with the
   * usual error body naming what is down ("Not ready: database").
   */
  @Get()
  @HealthCheck()
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.database.pingCheck('database', { timeout: 2_000 }),
        () => this.storage.check('storage'),
      ]);
    } catch (error) {
      const result = (error as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined;
      const down = Object.keys(result?.error ?? {});
      throw new ServiceUnavailableException(`Not ready: ${down.length ? down.join(', ') : 'unknown'} down`);
    }
  }
}
