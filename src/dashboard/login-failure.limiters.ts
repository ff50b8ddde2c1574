import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { FailureLimiter } from '../common/failure-limiter';
import { SharedFailureCounter } from '../common/shared-failure-counter';
import { authConfig } from '../config';

const FIFTEEN_MINUTES = 15 * 60_000;

/** Failed logins per client address. */
@Injectable()
export class LoginAddressLimiter extends FailureLimiter {
  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>, @Optional() shared?: SharedFailureCounter) {
    super({ limit: config.loginFailuresPerAddress, windowMs: FIFTEEN_MINUTES, label: 'failed sign-ins from this address', scope: 'login-address' }, Date.now, undefined, shared);
  }
}

/** Failed logins per account, whatever the address: slows password guessing on one account. */
@Injectable()
export class LoginAccountLimiter extends FailureLimiter {
  constructor(@Inject(authConfig.KEY) config: ConfigType<typeof authConfig>, @Optional() shared?: SharedFailureCounter) {
    super({ limit: config.loginFailuresPerAccount, windowMs: FIFTEEN_MINUTES, label: 'failed sign-ins for this account', scope: 'login-account' }, Date.now, undefined, shared);
  }
}
