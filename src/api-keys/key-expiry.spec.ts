import { expiryInstant, replacementExpiry } from './key-expiry';

const NOW = new Date('2031-03-10T15:30:00Z');
const DAY = 24 * 3600_000;
const badRequest = expect.objectContaining({ status: 400 });

describe('key expiry', () => {
  it('never, or N days from now', () => {
    expect(expiryInstant({ kind: 'never' }, NOW)).toBeNull();
    expect(expiryInstant({ kind: 'days', days: 30 }, NOW)).toEqual(new Date(NOW.getTime() + 30 * DAY));
  });

  it('a date means through that UTC day', () => {
    expect(expiryInstant({ kind: 'date', date: '2031-03-10' }, NOW)?.toISOString()).toBe('2031-03-11T00:00:00.000Z');
    expect(expiryInstant({ kind: 'date', date: '2032-01-01' }, NOW)?.toISOString()).toBe('2032-01-02T00:00:00.000Z');
  });

  it.each([
    ['yesterday', '2031-03-09', 'today or later'],
    ['no such day', '2031-02-29', 'not a valid date'],
    ['not a date', 'soon', 'not a valid date'],
    ['too far', '2045-01-01', 'within ten years'],
  ])('refuses %s', (_label, date, message) => {
    const call = () => expiryInstant({ kind: 'date', date }, NOW);
    expect(call).toThrow(badRequest);
    expect(call).toThrow(message);
  });

  it('refuses a nonsensical number of days', () => {
    expect(() => expiryInstant({ kind: 'days', days: 0 }, NOW)).toThrow(badRequest);
    expect(() => expiryInstant({ kind: 'days', days: 1.5 }, NOW)).toThrow(badRequest);
  });

  it('gives a replacement the lifetime of the key it replaces, from now', () => {
    const old = { createdAt: new Date(NOW.getTime() - 89 * DAY), expiresAt: new Date(NOW.getTime() + DAY) };
    expect(replacementExpiry(old, NOW)).toEqual(new Date(NOW.getTime() + 90 * DAY));
    expect(replacementExpiry({ createdAt: NOW, expiresAt: null }, NOW)).toBeNull();
  });
});
