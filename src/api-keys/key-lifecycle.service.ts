import { ConflictException, Injectable, Logger, NotFoundException } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { type AuditOrigin, NO_ORIGIN, type NewAuditEvent } from '../audit/audit-event.types';
import { Clock } from '../common/clock';
import { Actor, isAdmin } from '../managers/actor';
import { ApiKeyCache } from './api-key.cache';
import { maskApiKey, newApiKey } from './api-key-format';
import { ApiKeyRepository } from './api-key.repository';
import { auditSubjectOf, isRetired, toSummary, type ApiKeySummary, type CreatedApiKey } from './api-key-summary';
import { GRACE_PERIODS, type GracePeriod, replacementExpiry } from './key-expiry';

/**
 * Rolling, deleting and noticing expiry: the parts of a key's life after its
 * creation that replace or retire it. Each change and its audit entries
 * commit together, and every change that can stop a key announces it to all
 * instances (their caches look again).
 */
@Injectable()
export class KeyLifecycleService {
  private readonly logger = new Logger(KeyLifecycleService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

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
      const old = await this.keys.lockForOwner(tx, isAdmin(actor) ? null : actor.id, id);
      if (!old) throw new NotFoundException('API key not found');
      if (isRetired(old, now)) throw new ConflictException('Only an active key can be rolled');
      if (old.replacedById) throw new ConflictException('This key was already rolled; roll its replacement instead');
      const created = await this.keys.insert(
        {
          ownerId: old.ownerId,
          name: old.name,
          keyHash,
          lastFour,
          scopes: old.scopes,
          expiresAt: replacementExpiry(old, now),
        },
        tx,
      );
      await this.keys.markRolled(tx, old.id, { replacementId: created.id, at: now, graceEndsAt });
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
    const withOwner = await this.keys.findForOwner(null, replacement.id);
    return { key: toSummary(withOwner ?? replacement), plaintext };
  }

  /**
   * Removes a key that no longer works (deactivated or expired) from every
   * list; its audit entries stay. 409 for a key that still works: deactivate
   * it first, so deleting is never the way a working key stops.
   */
  async delete(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<ApiKeySummary> {
    const now = this.clock.now();
    const deleted = await this.keys.transaction(async (tx) => {
      const key = await this.keys.lockForOwner(tx, isAdmin(actor) ? null : actor.id, id);
      if (!key) throw new NotFoundException('API key not found');
      if (!isRetired(key, now)) throw new ConflictException('Deactivate the key before deleting it');
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
