import type { ApiKeySummary } from './api-key-summary';
import { DEFAULT_HYGIENE_THRESHOLDS, reviewKey, summarize } from './key-hygiene';

const DAY = 24 * 3600_000;
const NOW = new Date('2031-01-31T12:00:00Z');
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

const key = (over: Partial<ApiKeySummary> = {}): ApiKeySummary => ({
  id: 'k',
  name: 'k',
  maskedKey: 'exstr_live_…abcd',
  ownerId: 'o',
  createdAt: daysAgo(1),
  lastUsedAt: daysAgo(0),
  isActive: true,
  deactivatedAt: null,
  expiresAt: null,
  scopes: ['files:read'],
  replacedById: null,
  rolledAt: null,
  lastClientIp: null,
  lastUserAgent: null,
  allowedNetworks: [],
  lastRefusedIp: null,
  lastRefusedAt: null,
  leakReportedAt: null,
  owner: null,
  ...over,
});

const flags = (k: ApiKeySummary, t = DEFAULT_HYGIENE_THRESHOLDS) => reviewKey(k, NOW, t).flags.map((f) => `${f.code}:${f.action}`);

describe('key hygiene', () => {
  it('flags a key never used 7 days after creation (deactivate), not before', () => {
    expect(flags(key({ createdAt: daysAgo(7), lastUsedAt: null }))).toEqual(['never-used:deactivate']);
    expect(flags(key({ createdAt: daysAgo(6.9), lastUsedAt: null }))).toEqual([]);
  });

  it('flags a key unused for 30 days (deactivate)', () => {
    expect(flags(key({ createdAt: daysAgo(60), lastUsedAt: daysAgo(30) }))).toEqual(['unused:deactivate']);
    expect(flags(key({ createdAt: daysAgo(60), lastUsedAt: daysAgo(29) }))).toEqual([]);
  });

  it('flags a key older than 90 days (roll)', () => {
    expect(flags(key({ createdAt: daysAgo(90) }))).toEqual(['old:roll']);
    expect(flags(key({ createdAt: daysAgo(89) }))).toEqual([]);
  });

  it('flags a key expiring within 7 days (roll), unless it was made to live no longer', () => {
    expect(flags(key({ createdAt: daysAgo(25), expiresAt: daysAgo(-5) }))).toEqual(['expiring:roll']);
    expect(flags(key({ createdAt: daysAgo(25), expiresAt: daysAgo(-8) }))).toEqual([]);
    expect(flags(key({ createdAt: daysAgo(1), expiresAt: daysAgo(-6) }))).toEqual([]);
  });

  it('can carry several flags', () => {
    expect(flags(key({ createdAt: daysAgo(100), lastUsedAt: null }))).toEqual(['never-used:deactivate', 'old:roll']);
  });

  it('flags nothing on keys already on their way out', () => {
    const stale = { createdAt: daysAgo(100), lastUsedAt: null };
    expect(reviewKey(key({ ...stale, isActive: false }), NOW, DEFAULT_HYGIENE_THRESHOLDS)).toMatchObject({ state: 'inactive', flags: [] });
    expect(reviewKey(key({ ...stale, expiresAt: daysAgo(1) }), NOW, DEFAULT_HYGIENE_THRESHOLDS)).toMatchObject({ state: 'expired', flags: [] });
    expect(reviewKey(key({ ...stale, rolledAt: daysAgo(0), replacedById: 'n', expiresAt: daysAgo(-1) }), NOW, DEFAULT_HYGIENE_THRESHOLDS)).toMatchObject({
      state: 'rolled',
      flags: [],
    });
  });

  it('follows other thresholds', () => {
    const t = { neverUsedDays: 1, unusedDays: 2, maxAgeDays: 3, expiringWithinDays: 1 };
    expect(flags(key({ createdAt: daysAgo(3), lastUsedAt: null }), t)).toEqual(['never-used:deactivate', 'old:roll']);
  });

  it('summarizes: keys needing attention and a count per flag', () => {
    const reviews = [
      key({ createdAt: daysAgo(100), lastUsedAt: null }),
      key({ createdAt: daysAgo(8), lastUsedAt: null }),
      key(),
    ].map((k) => reviewKey(k, NOW, DEFAULT_HYGIENE_THRESHOLDS));
    expect(summarize(reviews)).toEqual({ attention: 2, counts: { 'never-used': 2, unused: 0, old: 1, expiring: 0 } });
  });
});
