import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { appConfig } from '../config';

/** Ready only if the blob store accepts a write. */
@Injectable()
export class StorageWritableIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async check(key: string): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    const dir = join(this.app.dataDir, 'tmp');
    const probe = join(dir, `health-${randomUUID()}`);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(probe, 'ok');
      await rm(probe, { force: true });
      return indicator.up();
    } catch {
      return indicator.down({ message: 'storage is not writable' });
    }
  }
}
