import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { LessThan, MoreThan, Repository } from 'typeorm';
import { DashboardSession } from './session.entity';

const hashId = (sessionId: string): string => createHash('sha256').update(sessionId).digest('hex');

@Injectable()
export class SessionRepository {
  constructor(@InjectRepository(DashboardSession) private readonly repo: Repository<DashboardSession>) {}

  /** Wall time, not the Clock: a session lives as long as its cookie, which @fastify/session times on the wall clock. */
  async findLive(sessionId: string): Promise<Record<string, unknown> | null> {
    const row = await this.repo.findOneBy({ idHash: hashId(sessionId), expiresAt: MoreThan(new Date()) });
    return row?.data ?? null;
  }

  async upsert(sessionId: string, data: Record<string, unknown>, expiresAt: Date): Promise<void> {
    await this.repo.query(
      `INSERT INTO dashboard_sessions (id_hash, data, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (id_hash) DO UPDATE SET data = EXCLUDED.data, expires_at = EXCLUDED.expires_at`,
      [hashId(sessionId), JSON.stringify(data), expiresAt],
    );
  }

  async remove(sessionId: string): Promise<void> {
    await this.repo.delete({ idHash: hashId(sessionId) });
  }

  /** Ends a manager's sessions, all of them or all but `exceptSessionId` (the one making the change). */
  async removeForManager(managerId: string, exceptSessionId?: string): Promise<void> {
    await this.repo.query(`DELETE FROM dashboard_sessions WHERE data->>'managerId' = $1 AND id_hash <> $2`, [
      managerId,
      exceptSessionId ? hashId(exceptSessionId) : '',
    ]);
  }

  async removeExpired(now = new Date()): Promise<number> {
    return (await this.repo.delete({ expiresAt: LessThan(now) })).affected ?? 0;
  }
}
