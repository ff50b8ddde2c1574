import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { LRUCache } from 'lru-cache';
import { keysConfig } from '../config';
import type { ApiKeyPrincipal } from './api-key-principal';

/**
 * Verified keys, by hash, for a short TTL (bounded LRU), so the guard answers
 * from memory. Only active keys are cached: unknown values cannot crowd real
 * keys out. Correctness across instances rests on KeyRevocationListener: the
 * cache is only trusted while it is connected, and every revocation (local or
 * notified) bumps `generation`, so a lookup that raced a revocation is not
 * cached with its stale answer.
 */
@Injectable()
export class ApiKeyCache {
  private readonly entries: LRUCache<string, ApiKeyPrincipal> | null;
  private readonly hashesByKeyId = new Map<string, string>();
  private trusted = false;
  private generationCounter = 0;

  constructor(@Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>) {
    this.entries =
      config.keyCacheMax > 0 && config.keyCacheTtlMs > 0
        ? new LRUCache<string, ApiKeyPrincipal>({
            max: config.keyCacheMax,
            ttl: config.keyCacheTtlMs,
            dispose: (principal) => this.hashesByKeyId.delete(principal.keyId),
          })
        : null;
  }

  get generation(): number {
    return this.generationCounter;
  }

  get(keyHash: string): ApiKeyPrincipal | undefined {
    return this.trusted ? this.entries?.get(keyHash) : undefined;
  }

  /** Caches a lookup made at `generation`, unless a revocation happened since. */
  set(keyHash: string, principal: ApiKeyPrincipal, generation: number): void {
    if (!this.entries || !this.trusted || generation !== this.generationCounter) return;
    this.entries.set(keyHash, principal);
    this.hashesByKeyId.set(principal.keyId, keyHash);
  }

  evict(keyId: string): void {
    this.generationCounter++;
    const hash = this.hashesByKeyId.get(keyId);
    if (hash) this.entries?.delete(hash);
  }

  /** Called by the revocation listener: trust the cache only while notices can arrive. */
  setTrusted(trusted: boolean): void {
    if (!trusted) {
      this.generationCounter++;
      this.entries?.clear();
    }
    this.trusted = trusted;
  }

  get size(): number {
    return this.entries?.size ?? 0;
  }
}
