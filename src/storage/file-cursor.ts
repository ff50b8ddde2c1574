import { StorageErrors } from './storage.errors';

/**
 * A position in the newest-first listing: the last item's exact `created_at`
 * (microseconds, as PostgreSQL keeps it; a JS Date would round it to
 * milliseconds and lose or repeat files created in the same millisecond) and
 * its id as the tie-breaker. Opaque to clients: base64url of `<time>|<id>`.
 */
export interface FileCursor {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ`, UTC. */
  createdAt: string;
  id: string;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** The earliest instant the four-digit year of the cursor shape can name that PostgreSQL accepts. */
const FIRST_TIMESTAMP = Date.parse('0001-01-01T00:00:00.000Z');

export function encodeCursor(cursor: FileCursor): string {
  return Buffer.from(`${cursor.createdAt}|${cursor.id}`, 'utf8').toString('base64url');
}

/** The cursor's position; anything that is not a cursor this server made → 400. */
export function decodeCursor(value: string): FileCursor {
  const malformed = StorageErrors.malformedCursor;
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) throw malformed();
  const match = CURSOR.exec(Buffer.from(value, 'base64url').toString('utf8'));
  if (!match) throw malformed();
  const [, createdAt, id] = match;
  // The shape alone lets through "2024-13-45…", which PostgreSQL would refuse with a 500.
  const millis = Date.parse(createdAt.slice(0, 23) + 'Z');
  if (Number.isNaN(millis) || new Date(millis).toISOString().slice(0, 23) !== createdAt.slice(0, 23)) throw malformed();
  // PostgreSQL has no year 0 ("0000-…" is out of its range, a 500): timestamps start at 0001.
  if (millis < FIRST_TIMESTAMP) throw malformed();
  return { createdAt, id };
}
