import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { CoalescingWriter } from '../common/coalescing-writer';
import { utcDayNumber, utcDayString } from '../common/utc-day';
import { keysConfig } from '../config';
import { ApiKeyUsageRepository, type KeyUse } from './api-key-usage.repository';

/** Where a use came from, as the latest one is shown on the key's page. */
export interface UseClient {
  ip?: string | null;
  userAgent?: string | null;
}

const MAX_IP = 64;
const MAX_USER_AGENT = 512;

interface PendingUse {
  lastAt: Date;
  ip: string | null;
  userAgent: string | null;
  /** Requests per UTC day number (ms / DAY_MS): no string built per request. */
  days: Map<number, number>;
}

/**
 * Coalesces key use in memory — the latest stamp and client, and requests per
 * day — and writes it all in one statement every `EDS_LAST_USED_FLUSH_MS`
 * (default 5 s, well inside the 10 s promise) and on graceful shutdown, so
 * authenticating never costs a database write.
 */
@Injectable()
export class LastUsedTracker extends CoalescingWriter<string, PendingUse> {
  constructor(
    private readonly usage: ApiKeyUsageRepository,
    private readonly clock: Clock,
    @Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>,
  ) {
    super(config.lastUsedFlushMs, 'key use', LastUsedTracker.name);
  }

  /** One request with the key. */
  touch(keyId: string, at: Date = this.clock.now(), client: UseClient = {}): void {
    const day = utcDayNumber(at);
    const use = this.pending.get(keyId);
    if (!use) {
      this.pending.set(keyId, {
        lastAt: at,
        ip: client.ip?.slice(0, MAX_IP) ?? null,
        userAgent: client.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
        days: new Map([[day, 1]]),
      });
      return;
    }
    use.days.set(day, (use.days.get(day) ?? 0) + 1);
    // getTime(): comparing Dates directly converts both through
    // Symbol.toPrimitive/valueOf lookups, which showed in profiles.
    if (at.getTime() >= use.lastAt.getTime()) {
      use.lastAt = at;
      use.ip = client.ip?.slice(0, MAX_IP) ?? null;
      use.userAgent = client.userAgent?.slice(0, MAX_USER_AGENT) ?? null;
    }
  }

  protected write(batch: Map<string, PendingUse>): Promise<void> {
    return this.usage.record(toKeyUses(batch));
  }

  protected mergeBack(batch: Map<string, PendingUse>): void {
    for (const [id, old] of batch) {
      const current = this.pending.get(id);
      if (!current) {
        this.pending.set(id, old);
        continue;
      }
      for (const [day, n] of old.days) current.days.set(day, (current.days.get(day) ?? 0) + n);
      if (old.lastAt > current.lastAt) {
        current.lastAt = old.lastAt;
        current.ip = old.ip;
        current.userAgent = old.userAgent;
      }
    }
  }

}

function toKeyUses(batch: Map<string, PendingUse>): Map<string, KeyUse> {
  const uses = new Map<string, KeyUse>();
  for (const [id, use] of batch) {
    const requestsByDay = new Map<string, number>();
    for (const [day, n] of use.days) requestsByDay.set(utcDayString(day), n);
    uses.set(id, { lastAt: use.lastAt, ip: use.ip, userAgent: use.userAgent, requestsByDay });
  }
  return uses;
}
