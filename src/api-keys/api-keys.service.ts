import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { Actor, isAdmin } from '../managers/actor';
import { ApiKeyCache } from './api-key.cache';
import { ApiKey } from './api-key.entity';
import { generateApiKey, hashApiKey, isWellFormedApiKey, maskApiKey } from './api-key-format';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyRepository } from './api-key.repository';
import type { ApiKeySummary, CreatedApiKey } from './api-key-summary';
import { LastUsedTracker } from './last-used.tracker';

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly lastUsed: LastUsedTracker,
    private readonly cache: ApiKeyCache,
  ) {}

  async generate(owner: Actor, name: string): Promise<CreatedApiKey> {
    const plaintext = generateApiKey();
    const saved = await this.keys.insert({
      ownerId: owner.id,
      name: name.trim(),
      keyHash: hashApiKey(plaintext),
      lastFour: plaintext.slice(-4),
    });
    this.logger.log(`API key ${saved.id} created by manager ${owner.id}`);
    return { key: toSummary({ ...saved, owner: { ...owner } as ApiKey['owner'] }), plaintext };
  }

  /**
   * Resolves a presented key to its principal, or null for anything that is
   * not an active key. Malformed values cost no query; a recently verified key
   * is answered from memory; otherwise one indexed lookup by hash. Use is
   * stamped in memory and written later in bulk.
   */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    if (!isWellFormedApiKey(presented)) return null;
    const keyHash = hashApiKey(presented);
    let principal = this.cache.get(keyHash);
    if (!principal) {
      const generation = this.cache.generation;
      const key = await this.keys.findActiveByHash(keyHash);
      if (!key || !key.owner) return null;
      principal = {
        keyId: key.id,
        name: key.name,
        createdAt: key.createdAt,
        owner: { id: key.owner.id, email: key.owner.email },
      };
      this.cache.set(keyHash, principal, generation);
    }
    this.lastUsed.touch(principal.keyId);
    return principal;
  }

  async listVisibleTo(actor: Actor): Promise<ApiKeySummary[]> {
    const keys = isAdmin(actor)
      ? await this.keys.listAllWithOwner()
      : await this.keys.listForOwner(actor.id);
    return keys.map(toSummary);
  }

  async getVisibleTo(actor: Actor, id: string): Promise<ApiKeySummary> {
    const key = await this.keys.findForOwner(isAdmin(actor) ? null : actor.id, id);
    if (!key) throw new NotFoundException('API key not found');
    return toSummary(key);
  }

  /** Idempotent for an already inactive key; 404 for a key the actor cannot see. */
  async deactivate(actor: Actor, id: string): Promise<ApiKeySummary> {
    const scope = isAdmin(actor) ? null : actor.id;
    const key = await this.keys.findForOwner(scope, id);
    if (!key) throw new NotFoundException('API key not found');
    const changed = await this.keys.deactivate(scope, id, new Date());
    // Gone from this instance's cache before the dashboard answers; other
    // instances hear it through KeyRevocationListener.
    this.cache.evict(id);
    if (changed) this.logger.log(`API key ${id} deactivated by manager ${actor.id}`);
    return this.getVisibleTo(actor, id);
  }
}

function toSummary(key: ApiKey): ApiKeySummary {
  return {
    id: key.id,
    name: key.name,
    maskedKey: maskApiKey(key.lastFour),
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    isActive: key.isActive,
    deactivatedAt: key.deactivatedAt,
    owner: key.owner ? { id: key.owner.id, email: key.owner.email } : null,
  };
}
