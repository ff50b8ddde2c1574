import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { FailureLimiter } from '../common/failure-limiter';
import { keysConfig } from '../config';

/** Failed key checks per client address: guessing keys gets 429 long before it could work. */
@Injectable()
export class ApiKeyFailureLimiter extends FailureLimiter {
  constructor(@Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>) {
    super({ limit: config.apiKeyFailuresPerMinute, windowMs: 60_000, label: 'failed API key attempts' });
  }
}
