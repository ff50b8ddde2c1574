import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { FailureLimiter } from '../common/failure-limiter';
import { SharedFailureCounter } from '../common/shared-failure-counter';
import { keysConfig } from '../config';

/** Failed key checks per client address, counted across instances: guessing keys gets 429 long before it could work. */
@Injectable()
export class ApiKeyFailureLimiter extends FailureLimiter {
  constructor(@Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>, @Optional() shared?: SharedFailureCounter) {
    super({ limit: config.apiKeyFailuresPerMinute, windowMs: 60_000, label: 'failed API key attempts', scope: 'api-key' }, Date.now, undefined, shared);
  }
}
