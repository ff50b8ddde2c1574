import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Manager, ManagerRole } from './manager.entity';

@Injectable()
export class ManagerRepository {
  constructor(@InjectRepository(Manager) private readonly repo: Repository<Manager>) {}

  count(): Promise<number> {
    return this.repo.count();
  }

  findById(id: string): Promise<Manager | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<Manager | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  listAll(): Promise<Manager[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  /** Null when the email is taken. */
  async insert(email: string, passwordHash: string, role: ManagerRole): Promise<Manager | null> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(Manager)
      .values({ email: email.toLowerCase(), passwordHash, role })
      .orIgnore()
      .returning('*')
      .execute();
    const id = (result.identifiers[0] as { id?: string } | undefined)?.id;
    return id ? this.findById(id) : null;
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.repo.manager.transaction(work);
  }

  /**
   * Locks the active admins' rows (in `tx`) and answers their ids: the one
   * place that decides "would this leave no admin?", safe against two admins
   * demoting each other at the same moment.
   */
  async lockActiveAdminIds(tx: EntityManager): Promise<string[]> {
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT id FROM managers WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`,
    );
    return rows.map((r) => r.id);
  }

  async lockById(tx: EntityManager, id: string): Promise<Manager | null> {
    return tx.getRepository(Manager).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  async setRole(tx: EntityManager, id: string, role: ManagerRole): Promise<void> {
    await tx.getRepository(Manager).update({ id }, { role });
  }

  async setDisabled(tx: EntityManager, id: string, at: Date | null): Promise<void> {
    await tx.getRepository(Manager).update({ id }, { disabledAt: at });
  }

  /** A new password also voids any outstanding reset link. */
  async setPassword(id: string, passwordHash: string, tx?: EntityManager): Promise<void> {
    await (tx ?? this.repo.manager)
      .getRepository(Manager)
      .update({ id }, { passwordHash, resetTokenHash: null, resetExpiresAt: null });
  }

  async setReset(tx: EntityManager, id: string, tokenHash: string, expiresAt: Date): Promise<void> {
    await tx.getRepository(Manager).update({ id }, { resetTokenHash: tokenHash, resetExpiresAt: expiresAt });
  }

  /** Locks the manager a live reset token belongs to (single use: the caller clears it in `tx`). */
  async lockByLiveResetHash(tx: EntityManager, tokenHash: string, now: Date): Promise<Manager | null> {
    const rows: Array<{ id: string }> = await tx.query(
      `SELECT id FROM managers WHERE reset_token_hash = $1 AND reset_expires_at > $2 FOR UPDATE`,
      [tokenHash, now],
    );
    return rows[0] ? tx.getRepository(Manager).findOneBy({ id: rows[0].id }) : null;
  }

  async findByLiveResetHash(tokenHash: string, now: Date): Promise<Manager | null> {
    const rows: Array<{ id: string }> = await this.repo.query(
      `SELECT id FROM managers WHERE reset_token_hash = $1 AND reset_expires_at > $2`,
      [tokenHash, now],
    );
    return rows[0] ? this.findById(rows[0].id) : null;
  }
}
