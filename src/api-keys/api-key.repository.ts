import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';
import { KEY_REVOKED_CHANNEL } from './key-revocation.listener';

export interface NewApiKey {
  ownerId: string;
  name: string;
  keyHash: string;
  lastFour: string;
}

/** Every query on api_keys, each scoped and named for what it is for. */
@Injectable()
export class ApiKeyRepository {
  constructor(@InjectRepository(ApiKey) private readonly repo: Repository<ApiKey>) {}

  async insert(key: NewApiKey): Promise<ApiKey> {
    return this.repo.save(this.repo.create({ ...key, isActive: true }));
  }

  /** One indexed equality on the unique hash; the owner comes along for /me. */
  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.repo.findOne({
      where: { keyHash, isActive: true },
      relations: { owner: true },
    });
  }

  listForOwner(ownerId: string): Promise<ApiKey[]> {
    return this.repo.find({
      where: { ownerId },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  listAllWithOwner(): Promise<ApiKey[]> {
    return this.repo.find({
      relations: { owner: true },
      order: { createdAt: 'DESC', id: 'DESC' },
    });
  }

  /** `ownerId` null means "any owner" (an admin acting). */
  findForOwner(ownerId: string | null, id: string): Promise<ApiKey | null> {
    return this.repo.findOne({
      where: ownerId ? { id, ownerId } : { id },
      relations: { owner: true },
    });
  }

  /**
   * Deactivates and, in the same transaction, announces the revocation to
   * every instance (delivered on commit). False when it was already inactive.
   */
  async deactivate(ownerId: string | null, id: string, at: Date): Promise<boolean> {
    return this.repo.manager.transaction(async (tx) => {
      const result = await tx
        .createQueryBuilder()
        .update(ApiKey)
        .set({ isActive: false, deactivatedAt: at })
        .where('id = :id AND is_active', { id })
        .andWhere(ownerId ? 'owner_id = :ownerId' : 'TRUE', { ownerId })
        .execute();
      const changed = (result.affected ?? 0) > 0;
      if (changed) await tx.query('SELECT pg_notify($1, $2)', [KEY_REVOKED_CHANNEL, id]);
      return changed;
    });
  }

  /**
   * Writes many coalesced last-use stamps in one statement. GREATEST keeps a
   * newer stamp written by another instance.
   */
  async stampLastUsed(stamps: ReadonlyMap<string, Date>): Promise<void> {
    if (stamps.size === 0) return;
    const ids = [...stamps.keys()];
    const times = ids.map((id) => stamps.get(id)!.toISOString());
    await this.repo.query(
      `UPDATE api_keys AS k
          SET last_used_at = GREATEST(k.last_used_at, s.used_at)
         FROM unnest($1::uuid[], $2::timestamptz[]) AS s(id, used_at)
        WHERE k.id = s.id`,
      [ids, times],
    );
  }
}
