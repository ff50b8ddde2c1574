import { BadRequestException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type AuditOrigin, NO_ORIGIN } from '../audit/audit-event.types';
import { Clock } from '../common/clock';
import { Actor, isAdmin } from '../managers/actor';
import { ApiKeyCache } from './api-key.cache';
import { hashApiKey, isWellFormedApiKey, newApiKey } from './api-key-format';
import type { ApiKeyPrincipal } from './api-key-principal';
import { ApiKeyRepository } from './api-key.repository';
import { API_KEY_SCOPES, type ApiKeyScope, normalizeScopes } from './api-key-scopes';
import { auditSubjectOf, toSummary, type ApiKeySummary, type CreatedApiKey } from './api-key-summary';
import { MeResponseDto } from './dto/me-response.dto';
import { expiryInstant, type KeyExpiry, NEVER_EXPIRES } from './key-expiry';

export interface NewKeyOptions {
  /** Default: every scope. */
  scopes?: readonly ApiKeyScope[];
  /** Default: never expires. */
  expiry?: KeyExpiry;
  /** Where the request that creates it came from, for the audit trail. */
  origin?: AuditOrigin;
}

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  private readonly descriptions = new WeakMap<ApiKeyPrincipal, MeResponseDto>();

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async generate(owner: Actor, name: string, options: NewKeyOptions = {}): Promise<CreatedApiKey> {
    const scopes = normalizeScopes(options.scopes ?? API_KEY_SCOPES);
    if (scopes.length === 0) throw new BadRequestException('Choose at least one scope');
    const now = this.clock.now();
    const expiresAt = expiryInstant(options.expiry ?? NEVER_EXPIRES, now);
    const { plaintext, keyHash, lastFour } = newApiKey();
    const saved = await this.keys.transaction(async (tx) => {
      const key = await this.keys.insert({ ownerId: owner.id, name: name.trim(), keyHash, lastFour, scopes, expiresAt }, tx);
      await this.audit.record(
        [{
          action: 'api_key.created',
          at: now,
          actor: { id: owner.id, email: owner.email },
          origin: options.origin ?? NO_ORIGIN,
          subject: auditSubjectOf(key),
          details: { scopes, expiresAt: expiresAt?.toISOString() ?? null },
        }],
        tx,
      );
      return key;
    });
    this.logger.log(`API key ${saved.id} created by manager ${owner.id}`);
    return { key: toSummary({ ...saved, owner: { ...owner } as never }), plaintext };
  }

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
    };
    if (this.isExpired(principal)) return null;
    this.cache.set(keyHash, principal, generation);
    return principal;
  }

  /** The owner was disabled: every instance drops that owner's keys from memory at once. */
  async forgetOwner(ownerId: string): Promise<void> {
    for (const id of await this.keys.announceOwnerKeys(ownerId)) this.cache.evict(id);
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
  async deactivate(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const scope = isAdmin(actor) ? null : actor.id;
    const now = this.clock.now();
    const changed = await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockForOwner(tx, scope, id);
      if (!key) throw new NotFoundException('API key not found');
      if (!(await this.keys.deactivate(tx, scope, id, now))) return false;
      await this.audit.record(
        [{ action: 'api_key.deactivated', at: now, actor: { id: actor.id, email: actor.email }, origin, subject: auditSubjectOf(key) }],
        tx,
      );
      return true;
    });
    // Gone from this instance's cache before the dashboard answers; other
    // instances hear it through KeyRevocationListener.
    this.cache.evict(id);
    if (changed) this.logger.log(`API key ${id} deactivated by manager ${actor.id}`);
    return this.getVisibleTo(actor, id);
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

  private isExpired(principal: ApiKeyPrincipal): boolean {
    return principal.expiresAt !== null && principal.expiresAt.getTime() <= this.clock.now().getTime();
  }
}
