import { Injectable, Logger } from '@nestjs/common';
import { type AuditOrigin, AuditService, NO_ORIGIN, type NewAuditEvent } from '../audit';
import { Clock } from '../common/clock';
import { type Actor, ALL_OWNERS, ownerScopeOf } from '../managers';
import { parseAllowedNetworks } from './allowed-networks';
import { ApiKeyCache } from './api-key.cache';
import { maskApiKey, newApiKey } from './api-key-format';
import { ApiKeyRepository } from './api-key.repository';
import { API_KEY_SCOPES, type ApiKeyScope, normalizeScopes } from './api-key-scopes';
import { auditSubjectOf, toSummary, type ApiKeySummary, type CreatedApiKey } from './api-key-summary';
import { ApiKeyErrors } from './api-keys.errors';
import { expiryInstant, GRACE_PERIODS, type GracePeriod, type KeyExpiry, NEVER_EXPIRES, replacementExpiry } from './key-expiry';
import { mayAct } from './key-state';

export interface NewKeyOptions {
  /** Default: every scope. */
  scopes?: readonly ApiKeyScope[];
  /** Default: never expires. */
  expiry?: KeyExpiry;
  /** Where the request that creates it came from, for the audit trail. */
  origin?: AuditOrigin;
  /** CIDR ranges, as typed (see allowed-networks.ts). Default: anywhere. */
  allowedNetworks?: string | readonly string[];
}

/**
 * A key's whole life as a manager sees it: generate, read, deactivate, roll,
 * delete, and noticing expiry. Each change and its audit entries commit
 * together, and every change that can stop a key announces it to all
 * instances (their caches look again). Authentication is ApiKeyAuthenticator's.
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async generate(owner: Actor, name: string, options: NewKeyOptions = {}): Promise<CreatedApiKey> {
    const scopes = normalizeScopes(options.scopes ?? API_KEY_SCOPES);
    if (scopes.length === 0) throw ApiKeyErrors.noScope();
    const now = this.clock.now();
    const expiresAt = expiryInstant(options.expiry ?? NEVER_EXPIRES, now);
    const allowedNetworks = validNetworks(options.allowedNetworks ?? []);
    const { plaintext, keyHash, lastFour } = newApiKey();
    const saved = await this.keys.transaction(async (tx) => {
      const key = await this.keys.insert({ ownerId: owner.id, name: name.trim(), keyHash, lastFour, scopes, expiresAt, allowedNetworks }, tx);
      await this.audit.record(
        [{
          action: 'api_key.created',
          at: now,
          actor: { id: owner.id, email: owner.email },
          origin: options.origin ?? NO_ORIGIN,
          subject: auditSubjectOf(key),
          details: { scopes, expiresAt: expiresAt?.toISOString() ?? null, ...(allowedNetworks.length ? { allowedNetworks } : {}) },
        }],
        tx,
      );
      return key;
    });
    this.logger.log(`API key ${saved.id} created by manager ${owner.id}`);
    return { key: toSummary({ ...saved, owner: { ...owner } as never }), plaintext };
  }

  /** The owner was disabled: every instance drops that owner's keys from memory at once. */
  async forgetOwner(ownerId: string): Promise<void> {
    for (const id of await this.keys.announceOwnerKeys(ownerId)) this.cache.evict(id);
  }

  async listVisibleTo(actor: Actor): Promise<ApiKeySummary[]> {
    return (await this.keys.listFor(ownerScopeOf(actor))).map(toSummary);
  }

  /** The key a replacement was rolled from (null for a key that was not made by a roll). */
  async replacedBy(actor: Actor, id: string): Promise<ApiKeySummary | null> {
    const old = await this.keys.findReplacedBy(ownerScopeOf(actor), id);
    return old ? toSummary(old) : null;
  }

  async getVisibleTo(actor: Actor, id: string): Promise<ApiKeySummary> {
    const key = await this.keys.findFor(ownerScopeOf(actor), id);
    if (!key) throw ApiKeyErrors.keyNotFound();
    return toSummary(key);
  }

  /** Idempotent for an already inactive key; 404 for a key the actor cannot see. */
  async deactivate(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const scope = ownerScopeOf(actor);
    const now = this.clock.now();
    const changed = await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockFor(tx, scope, id);
      if (!key) throw ApiKeyErrors.keyNotFound();
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
   * Creates the key's replacement (same name, scopes and owner; the same
   * lifetime, counted from now) and lets the old key work for `grace` more.
   * 409 when the key is inactive, expired or already rolled.
   */
  async roll(actor: Actor, id: string, grace: GracePeriod, origin: AuditOrigin = NO_ORIGIN): Promise<CreatedApiKey> {
    const now = this.clock.now();
    const { plaintext, keyHash, lastFour } = newApiKey();
    const graceMs = GRACE_PERIODS[grace];
    const graceEndsAt = graceMs > 0 ? new Date(now.getTime() + graceMs) : null;
    const replacement = await this.keys.transaction(async (tx) => {
      const old = await this.keys.lockFor(tx, ownerScopeOf(actor), id);
      if (!old) throw ApiKeyErrors.keyNotFound();
      // A key reported leaked was stopped by the report; rolling it is how its owner replaces it.
      const leaked = old.leakReportedAt !== null;
      if (!leaked && !mayAct(old, now)) throw ApiKeyErrors.notRollable();
      if (old.replacedById) throw ApiKeyErrors.alreadyRolled();
      const created = await this.keys.insert(
        {
          ownerId: old.ownerId,
          name: old.name,
          keyHash,
          lastFour,
          scopes: old.scopes,
          expiresAt: replacementExpiry(old, now),
          allowedNetworks: old.allowedNetworks,
        },
        tx,
      );
      // A leaked key gets no grace, whatever was asked: it is already stopped and stays so.
      await this.keys.markRolled(tx, old.id, { replacementId: created.id, at: now, graceEndsAt: leaked ? null : graceEndsAt });
      if (leaked) await this.keys.clearLeakFlag(tx, old.id);
      const who = { id: actor.id, email: actor.email };
      await this.audit.record(
        [
          {
            action: 'api_key.rolled',
            at: now,
            actor: who,
            origin,
            subject: auditSubjectOf(old),
            details: { replacementId: created.id, replacement: maskApiKey(created.lastFour), grace, graceEndsAt: graceEndsAt?.toISOString() ?? null },
          },
          {
            action: 'api_key.created',
            at: now,
            actor: who,
            origin,
            subject: auditSubjectOf(created),
            details: { scopes: created.scopes, expiresAt: created.expiresAt?.toISOString() ?? null, replaces: old.id, replacesKey: maskApiKey(old.lastFour) },
          },
        ],
        tx,
      );
      return created;
    });
    this.cache.evict(id);
    this.logger.log(`API key ${id} rolled into ${replacement.id} (grace ${grace}) by manager ${actor.id}`);
    const withOwner = await this.keys.findFor(ALL_OWNERS, replacement.id);
    return { key: toSummary(withOwner ?? replacement), plaintext };
  }

  /** Replaces the key's allowed networks (empty: anywhere); every instance applies it within the revocation notice. */
  async setNetworks(actor: Actor, id: string, input: string | readonly string[], origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const networks = validNetworks(input);
    const now = this.clock.now();
    await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockFor(tx, ownerScopeOf(actor), id);
      if (!key) throw ApiKeyErrors.keyNotFound();
      await this.keys.setNetworks(tx, id, networks);
      await this.audit.record(
        [{
          action: 'api_key.networks_changed',
          at: now,
          actor: { id: actor.id, email: actor.email },
          origin,
          subject: auditSubjectOf(key),
          details: { allowedNetworks: networks, before: key.allowedNetworks },
        }],
        tx,
      );
    });
    this.cache.evict(id);
    return this.getVisibleTo(actor, id);
  }

  /** The owner saw the "reported as leaked" flag and keeps the key stopped; the flag goes. */
  async acknowledgeLeak(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const now = this.clock.now();
    await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockFor(tx, ownerScopeOf(actor), id);
      if (!key) throw ApiKeyErrors.keyNotFound();
      if (!key.leakReportedAt) return;
      await this.keys.clearLeakFlag(tx, id);
      await this.audit.record(
        [{ action: 'api_key.leak_acknowledged', at: now, actor: { id: actor.id, email: actor.email }, origin, subject: auditSubjectOf(key) }],
        tx,
      );
    });
    return this.getVisibleTo(actor, id);
  }

  /**
   * Removes a key that no longer works (deactivated or expired) from every
   * list; its audit entries stay. 409 for a key that still works: deactivate
   * it first, so deleting is never the way a working key stops.
   */
  async delete(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const now = this.clock.now();
    const deleted = await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockFor(tx, ownerScopeOf(actor), id);
      if (!key) throw ApiKeyErrors.keyNotFound();
      if (mayAct(key, now)) throw ApiKeyErrors.stillWorking();
      await this.keys.remove(tx, id);
      await this.audit.record(
        [{ action: 'api_key.deleted', at: now, actor: { id: actor.id, email: actor.email }, origin, subject: auditSubjectOf(key) }],
        tx,
      );
      return toSummary(key);
    });
    this.cache.evict(id);
    this.logger.log(`API key ${id} deleted by manager ${actor.id}`);
    return deleted;
  }

  /**
   * Writes an "expired" entry, once, for every key whose expiry (or whose
   * grace period after a roll) has passed. Requests are refused at the
   * expiry instant whether or not this has run; this only tells the trail.
   */
  async recordExpiries(now: Date = this.clock.now()): Promise<number> {
    return this.keys.transaction(async (tx) => {
      const expired = await this.keys.claimNewlyExpired(tx, now);
      const events: NewAuditEvent[] = expired.map((key) => ({
        action: 'api_key.expired',
        at: key.expiresAt!,
        actor: null,
        origin: NO_ORIGIN,
        subject: auditSubjectOf(key),
        details: { reason: key.rolledAt ? 'grace-ended' : 'expiry' },
      }));
      await this.audit.record(events, tx);
      return events.length;
    });
  }
}

function validNetworks(input: string | readonly string[]): string[] {
  const { networks, errors } = parseAllowedNetworks(input);
  if (errors.length > 0) throw ApiKeyErrors.badNetworks(errors);
  return networks;
}
