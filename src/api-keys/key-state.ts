/**
 * Where a key is in its life, decided here and nowhere else: the guard, the
 * services, the hygiene review and the dashboard all ask these functions.
 *
 * - active: works, nothing planned;
 * - rolled: replaced, still working until its grace period ends;
 * - expired: past its expiry (or the end of its grace): refused from that instant;
 * - inactive: deactivated (by hand, by a roll without grace, by a leak report).
 */
export type KeyState = 'active' | 'rolled' | 'expired' | 'inactive';

/** The facts a key's state follows from (an entity, a summary or a cached principal). */
export interface KeyStateFacts {
  isActive: boolean;
  expiresAt: Date | null;
  replacedById?: string | null;
  rolledAt?: Date | null;
}

/** True once `expiresAt` is reached (null: never). `now` in epoch ms or as a Date. */
export function hasExpired(expiresAt: Date | null, now: Date | number): boolean {
  return expiresAt !== null && expiresAt.getTime() <= (typeof now === 'number' ? now : now.getTime());
}

export function keyStateOf(key: KeyStateFacts, now: Date): KeyState {
  if (!key.isActive) return 'inactive';
  if (hasExpired(key.expiresAt, now)) return 'expired';
  if (key.replacedById || key.rolledAt) return 'rolled';
  return 'active';
}

/** May a request with this key act now? Active and rolled (in grace) keys may. */
export function mayAct(key: Pick<KeyStateFacts, 'isActive' | 'expiresAt'>, now: Date | number): boolean {
  return key.isActive && !hasExpired(key.expiresAt, now);
}

/** Only a key in plain use is rolled: a rolled one rolls through its replacement. */
export const canRoll = (state: KeyState): boolean => state === 'active';
/** Anything not yet deactivated may be (an expired key too, so it stays off if its expiry is moved). */
export const canDeactivate = (state: KeyState): boolean => state !== 'inactive';
/** Deleting is never the way a working key stops: only keys that no longer work go. */
export const canDelete = (state: KeyState): boolean => state === 'inactive' || state === 'expired';
