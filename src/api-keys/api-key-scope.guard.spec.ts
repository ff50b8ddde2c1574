import { ExecutionContext, ForbiddenException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyScopeGuard } from './api-key-scope.guard';
import type { ApiKeyScope } from './api-key-scopes';

const contextFor = (required: ApiKeyScope | undefined, scopes: ApiKeyScope[] | null): ExecutionContext => {
  const handler = () => undefined;
  if (required) Reflect.defineMetadata('eds:required-scope', required, handler);
  return {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => ({ user: scopes ? { scopes } : undefined }) }),
  } as unknown as ExecutionContext;
};

describe('ApiKeyScopeGuard', () => {
  const sut = new ApiKeyScopeGuard(new Reflector());

  it('lets a route without a required scope through', () => {
    expect(sut.canActivate(contextFor(undefined, []))).toBe(true);
  });

  it('lets a key holding the scope through', () => {
    expect(sut.canActivate(contextFor('files:write', ['files:read', 'files:write']))).toBe(true);
  });

  it('refuses a key without it with 403 naming the scope', () => {
    const call = () => sut.canActivate(contextFor('files:delete', ['files:read', 'files:write']));
    expect(call).toThrow(ForbiddenException);
    expect(call).toThrow('API key lacks scope files:delete');
  });

  it('refuses when no key principal is on the request (guards misordered)', () => {
    expect(() => sut.canActivate(contextFor('files:read', null))).toThrow(ForbiddenException);
  });
});
