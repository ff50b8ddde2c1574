import { hash, randomBytes } from 'node:crypto';

export const API_KEY_PREFIX = 'exstr_live_';
const API_KEY_PATTERN = /^exstr_live_[0-9a-f]{32}$/;

/** A fresh key: the prefix + 128 bits from the CSPRNG as 32 lowercase hex characters. */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(16).toString('hex');
}

/** Cheap syntactic check: a value that fails it never costs a database query. */
export function isWellFormedApiKey(value: string): boolean {
  return API_KEY_PATTERN.test(value);
}

/**
 * SHA-256, lowercase hex. A fast hash is right for 128-bit random secrets
 * (no dictionary to attack) and keeps lookups to one indexed equality.
 */
export function hashApiKey(key: string): string {
  // One-shot crypto.hash: no Hash object per request (it showed in profiles).
  return hash('sha256', key, 'hex');
}

/** A new key and what is stored of it: the hash and the last four characters, never the key. */
export function newApiKey(): { plaintext: string; keyHash: string; lastFour: string } {
  const plaintext = generateApiKey();
  return { plaintext, keyHash: hashApiKey(plaintext), lastFour: plaintext.slice(-4) };
}

export function maskApiKey(lastFour: string): string {
  return `${API_KEY_PREFIX}…${lastFour}`;
}
