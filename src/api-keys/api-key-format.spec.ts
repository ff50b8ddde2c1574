import { createHash } from 'node:crypto';
import {
  API_KEY_PREFIX,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  maskApiKey,
  newApiKey,
} from './api-key-format';

describe('api-key-format', () => {
  it('generates exstr_live_ + 32 lowercase hex characters', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^exstr_live_[0-9a-f]{32}$/);
    expect(key.startsWith(API_KEY_PREFIX)).toBe(true);
  });

  it('generates a different key every time', () => {
    const keys = new Set(Array.from({ length: 1000 }, () => generateApiKey()));
    expect(keys.size).toBe(1000);
  });

  it('uses all 16 hex digits across many keys (no stuck bits)', () => {
    const seen = new Set(Array.from({ length: 200 }, () => generateApiKey().slice(11)).join(''));
    expect([...seen].sort().join('')).toBe('0123456789abcdef');
  });

  it('hashes with SHA-256 as lowercase hex', () => {
    const key = 'exstr_live_0123456789abcdef0123456789abcdef';
    expect(hashApiKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).not.toBe(hashApiKey(key.replace(/f$/, 'e')));
  });

  it.each([
    ['exstr_live_0123456789abcdef0123456789abcdef', true],
    ['exstr_live_0123456789ABCDEF0123456789abcdef', false],
    ['exstr_live_0123456789abcdef0123456789abcde', false],
    ['exstr_live_0123456789abcdef0123456789abcdef0', false],
    ['exstr_test_0123456789abcdef0123456789abcdef', false],
    [' exstr_live_0123456789abcdef0123456789abcdef', false],
    ['exstr_live_0123456789abcdef0123456789abcdeg', false],
    ['', false],
  ])('isWellFormedApiKey(%j) is %s', (value, expected) => {
    expect(isWellFormedApiKey(value)).toBe(expected);
  });

  it('masks a key to the prefix and its last four characters', () => {
    expect(maskApiKey('cdef')).toBe('exstr_live_…cdef');
  });
});

describe('newApiKey', () => {
  it('answers a key with what is stored of it: its SHA-256 and its last four characters', () => {
    const { plaintext, keyHash, lastFour } = newApiKey();
    expect(plaintext).toMatch(/^exstr_live_[0-9a-f]{32}$/);
    expect(keyHash).toBe(hashApiKey(plaintext));
    expect(lastFour).toBe(plaintext.slice(-4));
  });
});
