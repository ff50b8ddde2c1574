import { Injectable, Logger } from '@nestjs/common';
import { type AuditOrigin, AuditService } from '../audit';
import { Clock } from '../common/clock';
import { ApiKeyCache } from './api-key.cache';
import { hashApiKey, isWellFormedApiKey } from './api-key-format';
import { ApiKeyRepository } from './api-key.repository';
import { auditSubjectOf } from './api-key-summary';

/**
 * Leaked-key reports from anyone (GitHub's credential-revocation model):
 * every active key listed stops at once on every instance, is flagged for its
 * owner and audited with the reporter's address. The answer never says which
 * entries were keys: the same work is done for any list (every entry hashed,
 * one UPDATE), and only the count is answered.
 */
@Injectable()
export class KeyLeakReportsService {
  private readonly logger = new Logger(KeyLeakReportsService.name);

  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly cache: ApiKeyCache,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Answers how many entries were received. */
  async report(credentials: readonly string[], reporter: AuditOrigin): Promise<number> {
    const now = this.clock.now();
    // Malformed entries are hashed too (and match nothing), so they cost what a real key does.
    const hashes = credentials.map((c) => (isWellFormedApiKey(c.trim()) ? hashApiKey(c.trim()) : hashApiKey(c)));
    const stopped = await this.keys.transaction(async (tx) => {
      const keys = await this.keys.deactivateReported(tx, [...new Set(hashes)], now);
      await this.audit.record(
        keys.map((key) => ({
          action: 'api_key.reported_leaked',
          at: now,
          actor: null,
          origin: reporter,
          subject: auditSubjectOf(key),
          details: { reportedEntries: credentials.length },
        })),
        tx,
      );
      return keys;
    });
    for (const key of stopped) {
      this.cache.evict(key.id);
      this.logger.warn(`API key ${key.id} reported leaked from ${reporter.ip ?? 'unknown'}: deactivated`);
    }
    return credentials.length;
  }
}
