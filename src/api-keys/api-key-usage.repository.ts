import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThanOrEqual, Repository } from 'typeorm';
import { ApiKeyUsageDay } from './api-key-usage-day.entity';

/** What one flush writes for one key. */
export interface KeyUse {
  /** The latest use in the batch. */
  lastAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** Requests per UTC day (`YYYY-MM-DD`). */
  requestsByDay: ReadonlyMap<string, number>;
}

/** A key's refusals on one UTC day, coalesced in memory (RefusalTracker). */
export interface KeyRefusals {
  keyId: string;
  day: string;
  count: number;
  lastAt: Date;
  ip: string;
}

@Injectable()
export class ApiKeyUsageRepository {
  constructor(@InjectRepository(ApiKeyUsageDay) private readonly days: Repository<ApiKeyUsageDay>) {}

  /**
   * Writes a whole batch of coalesced uses in ONE statement: last-use stamps
   * (GREATEST keeps another instance's newer stamp, and the client of the
   * newest use wins), and the per-day counts added to what other instances
   * wrote. Counts join on the keys the UPDATE found, so a key deleted in the
   * meantime is skipped instead of failing the batch.
   */
  async record(uses: ReadonlyMap<string, KeyUse>): Promise<void> {
    if (uses.size === 0) return;
    const ids: string[] = [];
    const times: string[] = [];
    const ips: Array<string | null> = [];
    const agents: Array<string | null> = [];
    const countIds: string[] = [];
    const countDays: string[] = [];
    const counts: number[] = [];
    for (const [id, use] of uses) {
      ids.push(id);
      times.push(use.lastAt.toISOString());
      ips.push(use.ip);
      agents.push(use.userAgent);
      for (const [day, n] of use.requestsByDay) {
        countIds.push(id);
        countDays.push(day);
        counts.push(n);
      }
    }
    await this.days.query(
      `WITH uses AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::text[]) AS u(id, used_at, ip, user_agent)
       ), stamped AS (
         UPDATE api_keys AS k
            SET last_used_at = GREATEST(k.last_used_at, u.used_at),
                last_client_ip = CASE WHEN k.last_used_at IS NULL OR u.used_at >= k.last_used_at
                                      THEN u.ip ELSE k.last_client_ip END,
                last_user_agent = CASE WHEN k.last_used_at IS NULL OR u.used_at >= k.last_used_at
                                       THEN u.user_agent ELSE k.last_user_agent END
           FROM uses AS u
          WHERE k.id = u.id
          RETURNING k.id
       )
       INSERT INTO api_key_usage_days AS d (key_id, day, requests)
       SELECT c.id, c.day, c.requests
         FROM unnest($5::uuid[], $6::date[], $7::int[]) AS c(id, day, requests)
         JOIN stamped AS s ON s.id = c.id
       ON CONFLICT (key_id, day) DO UPDATE SET requests = d.requests + EXCLUDED.requests`,
      [ids, times, ips, agents, countIds, countDays, counts],
    );
  }

  /**
   * Writes coalesced refusals (a valid key from outside its allowed networks)
   * in one statement: the latest refused address and time, and the per-day
   * refused counts next to the requests.
   */
  async recordRefusals(values: ReadonlyArray<KeyRefusals>): Promise<void> {
    if (values.length === 0) return;
    const ids = values.map((v) => v.keyId);
    await this.days.query(
      `WITH r AS (
         SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::text[], $4::date[], $5::int[]) AS r(id, at, ip, day, n)
       ), stamped AS (
         UPDATE api_keys AS k
            SET last_refused_at = GREATEST(k.last_refused_at, r.at),
                last_refused_ip = CASE WHEN k.last_refused_at IS NULL OR r.at >= k.last_refused_at THEN r.ip ELSE k.last_refused_ip END
           FROM r WHERE k.id = r.id
          RETURNING k.id
       )
       INSERT INTO api_key_usage_days AS d (key_id, day, requests, refused)
       SELECT r.id, r.day, 0, r.n FROM r JOIN stamped AS s ON s.id = r.id
       ON CONFLICT (key_id, day) DO UPDATE SET refused = d.refused + EXCLUDED.refused`,
      [ids, values.map((v) => v.lastAt.toISOString()), values.map((v) => v.ip), values.map((v) => v.day), values.map((v) => v.count)],
    );
  }

  /** The key's daily counts from `firstDay` (`YYYY-MM-DD`, inclusive) on. */
  async daysSince(keyId: string, firstDay: string): Promise<Array<{ day: string; requests: number; refused: number }>> {
    const rows = await this.days.find({
      where: { keyId, day: MoreThanOrEqual(firstDay) },
      order: { day: 'ASC' },
    });
    return rows.map((r) => ({ day: r.day, requests: r.requests, refused: r.refused }));
  }
}
