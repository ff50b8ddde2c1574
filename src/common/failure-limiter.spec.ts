import { FailureLimiter, TooManyAttemptsException } from './failure-limiter';

describe('FailureLimiter', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('allows `limit` failures per window, then refuses with Retry-After until the window ends', () => {
    const sut = new FailureLimiter({ limit: 3, windowMs: 60_000, label: 'failed attempts' }, clock);
    for (let i = 0; i < 3; i++) {
      expect(() => sut.assertAllowed('1.2.3.4')).not.toThrow();
      sut.recordFailure('1.2.3.4');
    }
    let error: unknown;
    try {
      sut.assertAllowed('1.2.3.4');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TooManyAttemptsException);
    expect((error as TooManyAttemptsException).getStatus()).toBe(429);
    expect((error as TooManyAttemptsException).retryAfterSeconds).toBe(60);
    expect((error as TooManyAttemptsException).message).toBe('Too many failed attempts; try again in 60 seconds');

    now += 30_000;
    expect(() => sut.assertAllowed('1.2.3.4')).toThrow(/in 30 seconds/);
    now += 30_000;
    expect(() => sut.assertAllowed('1.2.3.4')).not.toThrow();
  });

  it('keeps subjects apart', () => {
    const sut = new FailureLimiter({ limit: 1, windowMs: 60_000, label: 'x' }, clock);
    sut.recordFailure('a');
    expect(() => sut.assertAllowed('a')).toThrow(TooManyAttemptsException);
    expect(() => sut.assertAllowed('b')).not.toThrow();
  });

  it('forgets the oldest subjects beyond its bound', () => {
    const sut = new FailureLimiter({ limit: 1, windowMs: 60_000, label: 'x' }, clock, 2);
    sut.recordFailure('a');
    sut.recordFailure('b');
    sut.recordFailure('c');
    expect(() => sut.assertAllowed('a')).not.toThrow();
    expect(() => sut.assertAllowed('c')).toThrow(TooManyAttemptsException);
  });

  it('keeps a later window in force while an earlier one ends, and starts afresh once all have ended', () => {
    const sut = new FailureLimiter({ limit: 2, windowMs: 60_000, label: 'x' }, clock);
    sut.recordFailure('a');
    sut.recordFailure('a');
    now += 20_000;
    sut.recordFailure('b');
    sut.recordFailure('b');

    now += 45_000; // a's window has ended, b's has 15 s left
    expect(() => sut.assertAllowed('a')).not.toThrow();
    expect(() => sut.assertAllowed('b')).toThrow(/in 15 seconds/);

    now += 15_000; // every window has ended
    expect(() => sut.assertAllowed('b')).not.toThrow();
    sut.recordFailure('a');
    expect(() => sut.assertAllowed('a')).not.toThrow();
    sut.recordFailure('a');
    expect(() => sut.assertAllowed('a')).toThrow(TooManyAttemptsException);
  });
});

describe('FailureLimiter.fail with a shared counter', () => {
  const policy = { limit: 3, windowMs: 60_000, label: 'failed attempts', scope: 'test' };

  it('adopts the count every instance sees and answers 429 past the limit', async () => {
    const now = 1_000_000;
    const increment = jest.fn().mockResolvedValue({ failures: 4, resetAt: now + 30_000 });
    const sut = new FailureLimiter(policy, () => now, 100, { increment } as never);
    const error = await sut.fail('1.2.3.4').catch((e: unknown) => e);
    expect(increment).toHaveBeenCalledWith('test', '1.2.3.4', 60_000);
    expect(error).toBeInstanceOf(TooManyAttemptsException);
    expect((error as TooManyAttemptsException).retryAfterSeconds).toBe(30);
    expect(() => sut.assertAllowed('1.2.3.4')).toThrow(TooManyAttemptsException);
  });

  it('lets the failure stand while the shared count is within the limit', async () => {
    const increment = jest.fn().mockResolvedValue({ failures: 3, resetAt: Date.now() + 60_000 });
    const sut = new FailureLimiter(policy, Date.now, 100, { increment } as never);
    await expect(sut.fail('a')).resolves.toBeUndefined();
    expect(() => sut.assertAllowed('a')).toThrow(TooManyAttemptsException);
  });

  it('counts on this instance when the database is unreachable', async () => {
    const increment = jest.fn().mockRejectedValue(new Error('Connection terminated'));
    const sut = new FailureLimiter(policy, Date.now, 100, { increment } as never);
    for (let i = 0; i < 3; i++) await sut.fail('b');
    expect(() => sut.assertAllowed('b')).toThrow(TooManyAttemptsException);
  });
});
