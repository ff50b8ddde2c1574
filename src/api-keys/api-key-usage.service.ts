import { Injectable } from '@nestjs/common';
import { type AuditEntry, AuditService } from '../audit';
import { utcDayNumber, utcDayString as dayString } from '../common/utc-day';
import type { Actor } from '../managers';
import { ApiKeyUsageRepository } from './api-key-usage.repository';
import type { KeyReview } from './key-hygiene';
import { KeyHygieneService } from './key-hygiene.service';

/** How many days of requests a key's page shows. */
export const USAGE_DAYS = 30;

export interface UsageReport {
  /** Oldest first, exactly USAGE_DAYS entries ending today (UTC), zeros included. */
  days: Array<{ day: string; requests: number }>;
  total: number;
  today: number;
  /** Requests refused in the window for coming from outside the key's allowed networks. */
  refused: number;
}

export interface KeyReport extends KeyReview {
  now: Date;
  usage: UsageReport;
  audit: AuditEntry[];
}

/**
 * Usage as written by the coalesced flush (so up to EDS_LAST_USED_FLUSH_MS
 * behind), and a key's whole page: where it stands, its usage, its trail.
 */
@Injectable()
export class ApiKeyUsageService {
  constructor(
    private readonly usage: ApiKeyUsageRepository,
    private readonly hygiene: KeyHygieneService,
    private readonly audit: AuditService,
  ) {}

  /** 404 for a key the actor cannot see. */
  async reportFor(actor: Actor, id: string): Promise<KeyReport> {
    const review = await this.hygiene.reviewOne(actor, id);
    const [usage, audit] = await Promise.all([this.usageOf(id, review.now), this.audit.forSubject('api_key', id)]);
    return { ...review, usage, audit };
  }

  async usageOf(keyId: string, now: Date): Promise<UsageReport> {
    const today = utcDayNumber(now);
    const rows = await this.usage.daysSince(keyId, dayString(today - USAGE_DAYS + 1));
    const byDay = new Map(rows.map((r) => [r.day, r.requests]));
    const refused = rows.reduce((sum, r) => sum + r.refused, 0);
    const days = Array.from({ length: USAGE_DAYS }, (_, i) => {
      const day = dayString(today - USAGE_DAYS + 1 + i);
      return { day, requests: byDay.get(day) ?? 0 };
    });
    return {
      days,
      total: days.reduce((sum, d) => sum + d.requests, 0),
      today: days[days.length - 1].requests,
      refused,
    };
  }
}
