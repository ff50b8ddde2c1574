import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';

export const API_KEY_STRATEGY = 'api-key';
export const API_KEY_HEADER = 'x-api-key';

/** Reads the key from the `x-api-key` header only: never the query string or body. */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(HeaderAPIKeyStrategy, API_KEY_STRATEGY) {
  constructor(private readonly apiKeys: ApiKeyAuthenticator) {
    // Both arguments are needed: with the options alone, passport-headerapikey
    // treats them as `verify` and every request fails with a TypeError.
    super({ header: API_KEY_HEADER, prefix: '' }, false);
  }

  /** null makes Passport fail the request; ApiKeyGuard turns that into the 401. */
  async validate(apiKey: string): Promise<ApiKeyPrincipal | null> {
    return this.apiKeys.authenticate(apiKey);
  }
}
