import { ExecutionContext, UnauthorizedException } from '@nestjs/common';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import { ApiKeyGuard, INVALID_API_KEY, MISSING_API_KEY } from './api-key.guard';

const contextWith = (headers: Record<string, string | string[] | undefined>): ExecutionContext =>
  ({ switchToHttp: () => ({ getRequest: () => ({ headers }) }) }) as unknown as ExecutionContext;

describe('ApiKeyGuard.handleRequest', () => {
  const sut = new ApiKeyGuard(new ApiKeyFailureLimiter({ apiKeyFailuresPerMinute: 10 } as never), { touch: jest.fn() } as never);
  const principal = { keyId: 'k', name: 'n', createdAt: new Date(), owner: { id: 'o', email: 'e' }, scopes: [], expiresAt: null };

  it('passes the principal through', () => {
    expect(sut.handleRequest(null, principal, undefined, contextWith({ 'x-api-key': 'anything' }))).toBe(principal);
  });

  it.each([[undefined], [''], ['  ']])('says "Missing API key" for header %j', (value) => {
    const call = () => sut.handleRequest(null, false, undefined, contextWith({ 'x-api-key': value }));
    expect(call).toThrow(UnauthorizedException);
    expect(call).toThrow(MISSING_API_KEY);
  });

  it('says "Invalid or inactive API key" for any present value that did not authenticate', () => {
    const call = () => sut.handleRequest(null, null, undefined, contextWith({ 'x-api-key': 'exstr_live_nope' }));
    expect(call).toThrow(INVALID_API_KEY);
  });

  it('rethrows a strategy error instead of hiding it behind a 401', () => {
    const boom = new Error('database down');
    expect(() => sut.handleRequest(boom, false, undefined, contextWith({ 'x-api-key': 'x' }))).toThrow(boom);
  });
});
