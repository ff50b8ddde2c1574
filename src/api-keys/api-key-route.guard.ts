import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';

/** Route metadata set by @ApiKeyAuth(): the route needs an API key. */
export const API_KEY_AUTH = 'eds:api-key-auth';

/**
 * The one place the API-key check is applied: ApiKeysModule registers this as
 * the app's global guard, and it runs ApiKeyGuard on every route marked
 * @ApiKeyAuth() (the class or the handler) and lets every other route pass.
 * Consumers mark routes; none builds the guard or needs its dependencies.
 */
@Injectable()
export class ApiKeyRouteGuard implements CanActivate {
  /** Per handler: metadata does not change after boot, and this runs on every request. */
  private readonly keyed = new WeakMap<object, boolean>();

  constructor(
    private readonly reflector: Reflector,
    private readonly guard: ApiKeyGuard,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    return this.needsKey(context) ? this.guard.canActivate(context) : true;
  }

  private needsKey(context: ExecutionContext): boolean {
    const handler = context.getHandler();
    let needs = this.keyed.get(handler);
    if (needs === undefined) {
      needs = this.reflector.getAllAndOverride<boolean | undefined>(API_KEY_AUTH, [handler, context.getClass()]) === true;
      this.keyed.set(handler, needs);
    }
    return needs;
  }
}
