import { STATUS_CODES } from 'node:http';

/** Statuses Node does not name: tus 1.0.0's checksum extension uses 460. */
const EXTRA: Readonly<Record<number, string>> = { 460: 'Checksum Mismatch' };

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? EXTRA[status] ?? 'Error';
}
