import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { compileNetworks } from './allowed-networks';
import { ApiKeyCache } from './api-key.cache';
import { hashApiKey, isWellFormedApiKey } from './api-key-format';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyRepository } from './api-key.repository';
import type { ApiKeyScope } from './api-key-scopes';
import { MeResponseDto } from './dto/me-response.dto';
import { hasExpired } from './key-state';

/**
 * Turns a presented key into the principal a request acts as: the read side
 * of the guard. The key's life-cycle verbs live in ApiKeysService; whether a
 * key may act is key-state.ts's call.
 */
@Injectable()
export class ApiKeyAuthenticator {
  private readonly descriptions = new WeakMap<ApiKeyPrincipal, MeResponseDto>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly clock: Clock,
  ) {}

  /**
   * A key verified recently, answered from memory alone: no query and no
   * promise, so the guard can admit it synchronously. Undefined when the key
   * is not in the cache (or has expired since): `authenticate` decides then.
   */
  recall(presented: string): ApiKeyPrincipal | undefined {
    if (!isWellFormedApiKey(presented)) return undefined;
    const principal = this.cache.get(hashApiKey(presented));
    return principal && !this.isExpired(principal) ? principal : undefined;
  }

  /**
   * Resolves a presented key to its principal, or null for anything that is
   * not an active, unexpired key. Malformed values cost no query; a recently
   * verified key is answered from memory (its expiry still checked against
   * the clock); otherwise one indexed lookup by hash.
   */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    if (!isWellFormedApiKey(presented)) return null;
    const keyHash = hashApiKey(presented);
    const cached = this.cache.get(keyHash);
    if (cached) return this.isExpired(cached) ? null : cached;
    const generation = this.cache.generation;
    const key = await this.keys.findActiveByHash(keyHash);
    // A disabled owner's keys stop (DESIGN.md §5a) and work again once enabled.
    if (!key || !key.owner || key.owner.disabledAt) return null;
    const principal: ApiKeyPrincipal = {
      keyId: key.id,
      name: key.name,
      createdAt: key.createdAt,
      owner: { id: key.owner.id, email: key.owner.email },
      scopes: key.scopes,
      expiresAt: key.expiresAt,
      networks: compileNetworks(key.allowedNetworks),
    };
    if (this.isExpired(principal)) return null;
    this.cache.set(keyHash, principal, generation);
    return principal;
  }

  /**
   * What `GET /api/v1/me` answers for a principal. Principals are immutable
   * and shared by every request the cache admits, so the answer is built once
   * per principal rather than per request (Date#toISOString showed in
   * profiles of the hot path).
   */
  describe(principal: ApiKeyPrincipal): MeResponseDto {
    let answer = this.descriptions.get(principal);
    if (!answer) {
      answer = Object.freeze({
        keyId: principal.keyId,
        name: principal.name,
        owner: Object.freeze({ id: principal.owner.id, email: principal.owner.email }),
        createdAt: principal.createdAt.toISOString(),
        scopes: Object.freeze([...principal.scopes]) as ApiKeyScope[],
        expiresAt: principal.expiresAt?.toISOString() ?? null,
      });
      this.descriptions.set(principal, answer);
    }
    return answer;
  }

  /** Principals are made from active keys only, so expiry is what is left to ask. */
  private isExpired(principal: ApiKeyPrincipal): boolean {
    return hasExpired(principal.expiresAt, this.clock.now());
  }
}
