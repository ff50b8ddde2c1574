import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Clock } from '../common/clock';
import { CoalescingWriter } from '../common/coalescing-writer';
import { utcDayNumber, utcDayString } from '../common/utc-day';
import { keysConfig } from '../config';
import { ApiKeyUsageRepository, type KeyRefusals } from './api-key-usage.repository';

/**
 * Requests refused for their address (a valid key outside its allowed
 * networks), counted in memory and written in bulk on the last-use flush's
 * schedule and at shutdown: a leaked key hammered from elsewhere costs no
 * write per request.
 */
@Injectable()
export class RefusalTracker extends CoalescingWriter<string, KeyRefusals> {
  constructor(
    private readonly usage: ApiKeyUsageRepository,
    private readonly clock: Clock,
    @Inject(keysConfig.KEY) config: ConfigType<typeof keysConfig>,
  ) {
    super(config.lastUsedFlushMs, 'refused requests', RefusalTracker.name);
  }

  refuse(keyId: string, ip: string | undefined): void {
    const at = this.clock.now();
    const day = utcDayString(utcDayNumber(at));
    const slot = `${keyId}|${day}`;
    const entry = this.pending.get(slot);
    const address = (ip ?? 'unknown').slice(0, 64);
    if (entry) {
      entry.count++;
      entry.lastAt = at;
      entry.ip = address;
    } else {
      this.pending.set(slot, { keyId, day, count: 1, lastAt: at, ip: address });
    }
  }

  protected write(batch: Map<string, KeyRefusals>): Promise<void> {
    return this.usage.recordRefusals([...batch.values()]);
  }

  protected mergeBack(batch: Map<string, KeyRefusals>): void {
    for (const [slot, r] of batch) {
      const newer = this.pending.get(slot);
      this.pending.set(slot, newer ? { ...newer, count: newer.count + r.count } : r);
    }
  }
}
