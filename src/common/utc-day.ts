export const DAY_MS = 24 * 3600_000;

/** Days since 1970-01-01 UTC: a cheap per-request bucket (no string built). */
export function utcDayNumber(at: Date): number {
  return Math.floor(at.getTime() / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function utcDayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
