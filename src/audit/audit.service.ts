import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { AuditEvent } from './audit-event.entity';
import type { AuditEntry, AuditFilter, AuditPage, NewAuditEvent } from './audit-event.types';
import { AuditRepository } from './audit.repository';

export const AUDIT_PAGE_SIZE = 100;
/** A key's own page shows its whole story; keys rarely have more than a handful of events. */
const SUBJECT_HISTORY_LIMIT = 200;

/** The append-only trail of who did what, when and from where. */
@Injectable()
export class AuditService {
  constructor(private readonly events: AuditRepository) {}

  /** Pass the transaction of the change being recorded: both commit or neither. */
  record(events: readonly NewAuditEvent[], tx?: EntityManager): Promise<void> {
    return this.events.append(events, tx);
  }

  async forSubject(subjectType: string, subjectId: string): Promise<AuditEntry[]> {
    return (await this.events.listForSubject(subjectType, subjectId, SUBJECT_HISTORY_LIMIT)).map(toEntry);
  }

  /** Everything, newest first (admins). `before` is the `nextBefore` of the previous page. */
  async page(before: string | null, limit = AUDIT_PAGE_SIZE, filter: AuditFilter = {}): Promise<AuditPage> {
    const rows = await this.events.listPage(before, limit + 1, filter);
    const entries = rows.slice(0, limit).map(toEntry);
    return { entries, nextBefore: rows.length > limit ? entries[entries.length - 1].id : null };
  }
}

const toEntry = (e: AuditEvent): AuditEntry => ({
  id: e.id,
  at: e.at,
  action: e.action,
  actorEmail: e.actorEmail,
  clientIp: e.clientIp,
  userAgent: e.userAgent,
  subjectType: e.subjectType,
  subjectId: e.subjectId,
  subjectLabel: e.subjectLabel,
  details: e.details,
});
