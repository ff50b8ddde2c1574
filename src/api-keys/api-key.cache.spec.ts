import type { ConfigType } from '@nestjs/config';
import type { keysConfig } from '../config';
import { ApiKeyCache } from './api-key.cache';
import type { ApiKeyPrincipal } from './api-key-principal';

const config = (over: Partial<ConfigType<typeof keysConfig>> = {}) =>
  ({ keyCacheMax: 100, keyCacheTtlMs: 60_000, ...over }) as ConfigType<typeof keysConfig>;
const principal = (keyId: string): ApiKeyPrincipal => ({
  keyId,
  name: keyId,
  createdAt: new Date(0),
  owner: { id: 'owner', email: 'o@example.com' },
  scopes: ['files:read'],
  expiresAt: null,
  networks: null,
});

describe('ApiKeyCache', () => {
  it('serves nothing until trusted, and forgets everything when trust is lost', () => {
    const sut = new ApiKeyCache(config());
    sut.set('h1', principal('k1'), sut.generation);
    expect(sut.get('h1')).toBeUndefined();
    sut.setTrusted(true);
    sut.set('h1', principal('k1'), sut.generation);
    expect(sut.get('h1')?.keyId).toBe('k1');
    sut.setTrusted(false);
    sut.setTrusted(true);
    expect(sut.get('h1')).toBeUndefined();
  });

  it('evicts by key id', () => {
    const sut = new ApiKeyCache(config());
    sut.setTrusted(true);
    sut.set('h1', principal('k1'), sut.generation);
    sut.set('h2', principal('k2'), sut.generation);
    sut.evict('k1');
    expect(sut.get('h1')).toBeUndefined();
    expect(sut.get('h2')?.keyId).toBe('k2');
  });

  it('does not cache a lookup that raced a revocation', () => {
    const sut = new ApiKeyCache(config());
    sut.setTrusted(true);
    const generation = sut.generation;
    sut.evict('k1'); // the revocation lands while the lookup is in flight
    sut.set('h1', principal('k1'), generation);
    expect(sut.get('h1')).toBeUndefined();
  });

  it('is bounded (LRU)', () => {
    const sut = new ApiKeyCache(config({ keyCacheMax: 2 }));
    sut.setTrusted(true);
    for (const n of [1, 2, 3]) sut.set(`h${n}`, principal(`k${n}`), sut.generation);
    expect(sut.size).toBe(2);
    expect(sut.get('h1')).toBeUndefined();
    expect(sut.get('h3')?.keyId).toBe('k3');
  });

  it('expires entries after the TTL', async () => {
    const sut = new ApiKeyCache(config({ keyCacheTtlMs: 50 }));
    sut.setTrusted(true);
    sut.set('h1', principal('k1'), sut.generation);
    expect(sut.get('h1')).toBeDefined();
    await new Promise((r) => setTimeout(r, 120));
    expect(sut.get('h1')).toBeUndefined();
  });

  it('can be turned off', () => {
    const sut = new ApiKeyCache(config({ keyCacheMax: 0 }));
    sut.setTrusted(true);
    sut.set('h1', principal('k1'), sut.generation);
    expect(sut.get('h1')).toBeUndefined();
  });
});
