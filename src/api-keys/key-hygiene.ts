import { DAY_MS } from '../common/utc-day';
import type { KeysConfig } from '../config';
import type { ApiKeySummary } from './api-key-summary';
import { keyStateOf, type KeyState } from './key-state';

/** When the key list flags a key: the hygiene part of the keys configuration (EDS_KEY_*_DAYS). */
export type HygieneThresholds = Pick<KeysConfig, 'neverUsedDays' | 'unusedDays' | 'maxAgeDays' | 'expiringWithinDays'>;

export const DEFAULT_HYGIENE_THRESHOLDS: Readonly<HygieneThresholds> = Object.freeze({
  neverUsedDays: 7,
  unusedDays: 30,
  maxAgeDays: 90,
  expiringWithinDays: 7,
});


export type HygieneFlagCode = 'never-used' | 'unused' | 'old' | 'expiring';
export const HYGIENE_FLAG_CODES: readonly HygieneFlagCode[] = ['never-used', 'unused', 'old', 'expiring'];

export interface HygieneFlag {
  code: HygieneFlagCode;
  label: string;
  /** The one-click fix: an unused key goes, an old or expiring one is rolled. */
  action: 'deactivate' | 'roll';
}

export interface KeyReview {
  key: ApiKeySummary;
  state: KeyState;
  flags: HygieneFlag[];
}

export interface HygieneSummary {
  /** Keys with at least one flag. */
  attention: number;
  counts: Record<HygieneFlagCode, number>;
}

/**
 * The best practices as checks. Only keys in plain use are flagged: a rolled
 * key is already on its way out, an expired or inactive one is gone.
 */
export function reviewKey(key: ApiKeySummary, now: Date, t: HygieneThresholds): KeyReview {
  const state = keyStateOf(key, now);
  const flags: HygieneFlag[] = [];
  if (state === 'active') {
    const ageMs = now.getTime() - key.createdAt.getTime();
    if (!key.lastUsedAt && ageMs >= t.neverUsedDays * DAY_MS) {
      flags.push({ code: 'never-used', label: `Never used in ${t.neverUsedDays} days`, action: 'deactivate' });
    }
    if (key.lastUsedAt && now.getTime() - key.lastUsedAt.getTime() >= t.unusedDays * DAY_MS) {
      flags.push({ code: 'unused', label: `Unused for ${t.unusedDays} days`, action: 'deactivate' });
    }
    if (ageMs >= t.maxAgeDays * DAY_MS) {
      flags.push({ code: 'old', label: `Older than ${t.maxAgeDays} days`, action: 'roll' });
    }
    // Only keys meant to outlive the warning window: a 7-day key chosen as such is not news on day one.
    const window = t.expiringWithinDays * DAY_MS;
    if (key.expiresAt && key.expiresAt.getTime() - key.createdAt.getTime() > window && key.expiresAt.getTime() - now.getTime() <= window) {
      flags.push({ code: 'expiring', label: `Expires within ${t.expiringWithinDays} days`, action: 'roll' });
    }
  }
  return { key, state, flags };
}

export function summarize(reviews: readonly KeyReview[]): HygieneSummary {
  const counts = Object.fromEntries(HYGIENE_FLAG_CODES.map((c) => [c, 0])) as Record<HygieneFlagCode, number>;
  let attention = 0;
  for (const review of reviews) {
    if (review.flags.length > 0) attention++;
    for (const flag of review.flags) counts[flag.code]++;
  }
  return { attention, counts };
}
