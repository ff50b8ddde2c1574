import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, type FindOptionsWhere, Repository } from 'typeorm';
import type { OwnerScope } from '../managers';
import { ApiKey } from './api-key.entity';
import type { ApiKeyScope } from './api-key-scopes';
import { KEY_REVOKED_CHANNEL } from './key-revocation.listener';

export interface NewApiKey {
  ownerId: string;
  name: string;
  keyHash: string;
  lastFour: string;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  allowedNetworks?: string[];
}

/** What a roll changes on the old key. */
export interface RollChange {
  replacementId: string;
  at: Date;
  /** null: the old key stops at once (deactivated); otherwise the end of its grace period. */
  graceEndsAt: Date | null;
}

/**
 * Every query on api_keys, each scoped and named for what it is for. Methods
 * that take `tx` run inside the caller's transaction, so the audit entry of a
 * change commits with it; those that revoke also NOTIFY every instance (the
 * notice is delivered on commit).
 */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKey) private readonly repo: Repository<ApiKey>) {}

  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.repo.manager.transaction(work);
  }

  async insert(key: NewApiKey, tx?: EntityManager): Promise<ApiKey> {
    const repo = tx ? tx.getRepository(ApiKey) : this.repo;
    return repo.save(repo.create({ ...key, isActive: true }));
  }

  /**
   * One indexed equality on the unique hash; the owner comes along for /me.
   * One statement: `findOne` with a relation sends two (a `DISTINCT … LIMIT 1`
   * for the id, then the join), and this runs on every key not seen lately.
   */
  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.repo
      .createQueryBuilder('key')
      .leftJoinAndSelect('key.owner', 'owner')
      .where('key.keyHash = :keyHash AND key.isActive = true', { keyHash })
      .getOne();
  }

  /** Newest first; with every owner's scope, each key carries its owner (the admin's list shows it). */
  listFor(scope: OwnerScope): Promise<ApiKey[]> {
    return this.repo.find({
      where: scope.kind === 'owner' ? { ownerId: scope.ownerId } : {},
      relations: scope.kind === 'all' ? { owner: true } : undefined,
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  findFor(scope: OwnerScope, id: string): Promise<ApiKey | null> {
    return this.repo.findOne({ where: scoped(scope, id), relations: { owner: true } });
  }

  /** The key that `id` replaced when it was rolled, if any (visible in `scope`). */
  findReplacedBy(scope: OwnerScope, id: string): Promise<ApiKey | null> {
    return this.repo.findOne({ where: scope.kind === 'owner' ? { ownerId: scope.ownerId, replacedById: id } : { replacedById: id } });
  }

  /** The same, row-locked until `tx` ends: the decision made on it cannot race another change. */
  lockFor(tx: EntityManager, scope: OwnerScope, id: string): Promise<ApiKey | null> {
    return tx.getRepository(ApiKey).findOne({
      where: scoped(scope, id),
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Deactivates and announces it. False when it was already inactive. */
  async deactivate(tx: EntityManager, scope: OwnerScope, id: string, at: Date): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .update(ApiKey)
      .set({ isActive: false, deactivatedAt: at })
      .where('id = :id AND is_active', { id })
      .andWhere(scope.kind === 'owner' ? 'owner_id = :ownerId' : 'TRUE', { ownerId: scope.kind === 'owner' ? scope.ownerId : null })
      .execute();
    const changed = (result.affected ?? 0) > 0;
    if (changed) await this.announceRevocation(tx, id);
    return changed;
  }

  /** Marks `id` as rolled into its replacement, with or without grace, and announces it. */
  async markRolled(tx: EntityManager, id: string, change: RollChange): Promise<void> {
    if (change.graceEndsAt) {
      // A key that would expire sooner anyway keeps its earlier expiry.
      await tx.query(
        `UPDATE api_keys SET replaced_by_id = $2, rolled_at = $3,
                expires_at = LEAST(COALESCE(expires_at, $4::timestamptz), $4::timestamptz)
          WHERE id = $1`,
        [id, change.replacementId, change.at, change.graceEndsAt],
      );
    } else {
      await tx.update(
        ApiKey,
        { id },
        { replacedById: change.replacementId, rolledAt: change.at, isActive: false, deactivatedAt: change.at },
      );
    }
    // Other instances may hold the key with its old expiry: make them look again.
    await this.announceRevocation(tx, id);
  }

  /** Replaces the key's allowed networks and announces it: every instance drops the cached principal and its old matcher. */
  async setNetworks(tx: EntityManager, id: string, networks: readonly string[]): Promise<void> {
    await tx.query('UPDATE api_keys SET allowed_networks = $2::text[] WHERE id = $1', [id, networks]);
    await this.announceRevocation(tx, id);
  }

  /**
   * Deactivates every active key among `hashes` as reported leaked, flags it,
   * and announces each; answers the keys it stopped. One statement whatever
   * the list holds (an empty list included), so a report of unknown keys
   * costs what a report of real ones does.
   */
  async deactivateReported(tx: EntityManager, hashes: readonly string[], at: Date): Promise<ApiKey[]> {
    const [rows] = (await tx.query(
      `UPDATE api_keys SET is_active = false, deactivated_at = $2, leak_reported_at = $2
        WHERE key_hash = ANY($1::char(64)[]) AND is_active
        RETURNING id, owner_id, name, last_four`,
      [hashes, at],
    )) as [Array<Record<string, string>>, number];
    const keys = rows.map((r) => this.repo.create({ id: r.id, ownerId: r.owner_id, name: r.name, lastFour: r.last_four }));
    for (const key of keys) await this.announceRevocation(tx, key.id);
    return keys;
  }

  /** Clears the leak flag (the owner saw it, or rolled the key). */
  async clearLeakFlag(tx: EntityManager, id: string): Promise<void> {
    await tx.update(ApiKey, { id }, { leakReportedAt: null });
  }

  async remove(tx: EntityManager, id: string): Promise<void> {
    await tx.delete(ApiKey, { id });
    await this.announceRevocation(tx, id);
  }

  /**
   * Claims the active keys that reached their expiry by `now` and have no
   * "expired" audit entry yet (each is claimed once, by one instance: the
   * UPDATE locks the rows). Runs in the caller's transaction with the entries.
   */
  async claimNewlyExpired(tx: EntityManager, now: Date): Promise<ApiKey[]> {
    const rows = (await tx.query(
      `UPDATE api_keys SET expiry_recorded_at = $1
        WHERE is_active AND expires_at IS NOT NULL AND expiry_recorded_at IS NULL AND expires_at <= $1
        RETURNING id, owner_id, name, last_four, expires_at, replaced_by_id, rolled_at`,
      [now],
    )) as [Array<Record<string, unknown>>, number];
    return rows[0].map((r) =>
      this.repo.create({
        id: r.id as string,
        ownerId: r.owner_id as string,
        name: r.name as string,
        lastFour: r.last_four as string,
        expiresAt: r.expires_at as Date,
        replacedById: r.replaced_by_id as string | null,
        rolledAt: r.rolled_at as Date | null,
      }),
    );
  }

  /**
   * Tells every instance to forget an owner's keys (their owner was disabled:
   * the next use must see that). Answers the ids, for this instance's cache.
   */
  async announceOwnerKeys(ownerId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.repo.query(
      `SELECT id, pg_notify($1, id::text) FROM api_keys WHERE owner_id = $2`,
      [KEY_REVOKED_CHANNEL, ownerId],
    );
    return rows.map((r) => r.id);
  }

  private async announceRevocation(tx: EntityManager, id: string): Promise<void> {
    await tx.query('SELECT pg_notify($1, $2)', [KEY_REVOKED_CHANNEL, id]);
  }
}

const scoped = (scope: OwnerScope, id: string): FindOptionsWhere<ApiKey> =>
  scope.kind === 'owner' ? { id, ownerId: scope.ownerId } : { id };
