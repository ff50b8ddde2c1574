import { ExecutionContext, HttpException, UnauthorizedException } from '@nestjs/common';
import { ApiKeyFailureLimiter } from './api-key-failure.limiter';
import { ApiKeyGuard, INVALID_API_KEY, MISSING_API_KEY } from './api-key.guard';

const answered = new Map<string, string>();
const contextWith = (headers: Record<string, string | string[] | undefined>): ExecutionContext =>
  ({
    switchToHttp: () => ({
      getRequest: () => ({ headers }),
      getResponse: () => ({ header: (name: string, value: string) => answered.set(name, value) }),
    }),
  }) as unknown as ExecutionContext;

describe('ApiKeyGuard.handleRequest', () => {
  const sut = new ApiKeyGuard(
    new ApiKeyFailureLimiter({ apiKeyFailuresPerMinute: 10 } as never),
    { touch: jest.fn() } as never,
    { recall: jest.fn() } as never,
  );
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

  it('names the scheme on the 401: WWW-Authenticate: ApiKey header="x-api-key"', () => {
    answered.clear();
    expect(() => sut.handleRequest(null, false, undefined, contextWith({}))).toThrow(UnauthorizedException);
    expect(answered.get('WWW-Authenticate')).toBe('ApiKey header="x-api-key"');
  });

  it('rethrows a strategy error instead of hiding it behind a 401', () => {
    const boom = new Error('database down');
    expect(() => sut.handleRequest(boom, false, undefined, contextWith({ 'x-api-key': 'x' }))).toThrow(boom);
  });
});

describe('ApiKeyGuard.canActivate with a key verified recently', () => {
  const principal = { keyId: 'k1', name: 'n', createdAt: new Date(), owner: { id: 'o', email: 'e' }, scopes: [], expiresAt: null };
  const requestWith = (key: string) => ({ ip: '192.0.2.7', headers: { 'x-api-key': key, 'user-agent': 'backup/1.0' } }) as Record<string, unknown>;
  const contextFor = (request: object): ExecutionContext =>
    ({ switchToHttp: () => ({ getRequest: () => request, getResponse: () => ({}) }) }) as unknown as ExecutionContext;

  it('admits it at once, without a promise: the principal on the request, the use recorded', () => {
    const touch = jest.fn();
    const recall = jest.fn().mockReturnValue(principal);
    const sut = new ApiKeyGuard(new ApiKeyFailureLimiter({ apiKeyFailuresPerMinute: 10 } as never), { touch } as never, { recall } as never);
    const request = requestWith('exstr_live_0123456789abcdef0123456789abcdef');

    expect(sut.canActivate(contextFor(request))).toBe(true);
    expect(recall).toHaveBeenCalledWith('exstr_live_0123456789abcdef0123456789abcdef');
    expect(request.user).toBe(principal);
    expect(touch).toHaveBeenCalledWith('k1', undefined, { ip: '192.0.2.7', userAgent: 'backup/1.0' });
  });

  it('still refuses an address that used up its failures, even with a known key', () => {
    const limiter = new ApiKeyFailureLimiter({ apiKeyFailuresPerMinute: 10 } as never);
    for (let i = 0; i < 10; i++) limiter.recordFailure('192.0.2.7');
    const recall = jest.fn().mockReturnValue(principal);
    const sut = new ApiKeyGuard(limiter, { touch: jest.fn() } as never, { recall } as never);

    expect(() => sut.canActivate(contextFor(requestWith('exstr_live_0123456789abcdef0123456789abcdef')))).toThrow(HttpException);
    expect(recall).not.toHaveBeenCalled();
  });
});
