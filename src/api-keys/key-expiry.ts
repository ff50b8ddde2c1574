import { DAY_MS } from '../common/utc-day';
import { ApiKeyErrors } from './api-keys.errors';

/** The lifetimes offered when generating a key. */
export const EXPIRY_DAY_CHOICES = [7, 30, 90, 365] as const;
/** A chosen date may be at most this far away (about ten years). */
export const MAX_EXPIRY_DAYS = 3653;

export type KeyExpiry =
  | { kind: 'never' }
  | { kind: 'days'; days: number }
  /** The key works through that UTC day and stops at the following midnight UTC. */
  | { kind: 'date'; date: string };

export const NEVER_EXPIRES: KeyExpiry = { kind: 'never' };

/** When a key generated at `now` with this choice stops working (null: never). */
export function expiryInstant(choice: KeyExpiry, now: Date): Date | null {
  switch (choice.kind) {
    case 'never':
      return null;
    case 'days':
      if (!Number.isInteger(choice.days) || choice.days < 1 || choice.days > MAX_EXPIRY_DAYS) {
        throw ApiKeyErrors.expiryDaysOutOfRange(MAX_EXPIRY_DAYS);
      }
      return new Date(now.getTime() + choice.days * DAY_MS);
    case 'date': {
      const start = new Date(`${choice.date}T00:00:00.000Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(choice.date) || Number.isNaN(start.getTime()) || start.toISOString().slice(0, 10) !== choice.date) {
        throw ApiKeyErrors.expiryDateInvalid();
      }
      const end = new Date(start.getTime() + DAY_MS);
      if (end.getTime() <= now.getTime()) throw ApiKeyErrors.expiryDatePast();
      if (end.getTime() - now.getTime() > MAX_EXPIRY_DAYS * DAY_MS) {
        throw ApiKeyErrors.expiryDateTooFar();
      }
      return end;
    }
  }
}

/** How long a rolled key keeps working next to its replacement. */
export const GRACE_PERIODS = {
  none: 0,
  '1h': 3600_000,
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
} as const;

export type GracePeriod = keyof typeof GRACE_PERIODS;

export const GRACE_LABELS: Record<GracePeriod, string> = {
  none: 'None: the old key stops now',
  '1h': '1 hour',
  '24h': '24 hours',
  '7d': '7 days',
};

/**
 * A replacement lives as long as the key it replaces was meant to (a 90-day
 * key rolls into a 90-day key), counted from the roll.
 */
export function replacementExpiry(old: { createdAt: Date; expiresAt: Date | null }, now: Date): Date | null {
  if (!old.expiresAt) return null;
  // To the minute: createdAt is the database's clock, expiresAt was computed from ours.
  const lifetime = Math.max(Math.round((old.expiresAt.getTime() - old.createdAt.getTime()) / 60_000) * 60_000, DAY_MS);
  return new Date(now.getTime() + lifetime);
}
