import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { AuditEvent } from './audit-event.entity';
import type { AuditFilter, NewAuditEvent } from './audit-event.types';

const MAX_IP = 64;
const MAX_USER_AGENT = 512;
const MAX_LABEL = 200;

/**
 * Appends and reads audit events; there is deliberately no method that
 * changes or removes one (and the database refuses it anyway).
 */
@Injectable()
export class AuditRepository {
  constructor(@InjectRepository(AuditEvent) private readonly repo: Repository<AuditEvent>) {}

  /** Inside `tx` when given, so an event commits (or not) with the change it records. */
  async append(events: readonly NewAuditEvent[], tx?: EntityManager): Promise<void> {
    if (events.length === 0) return;
    const rows = events.map((e): Partial<AuditEvent> => ({
      at: e.at,
      action: e.action,
      actorId: e.actor?.id ?? null,
      actorEmail: e.actor?.email ?? null,
      clientIp: e.origin.ip?.slice(0, MAX_IP) ?? null,
      userAgent: e.origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
      subjectType: e.subject.type,
      subjectId: e.subject.id,
      subjectOwnerId: e.subject.ownerId,
      subjectLabel: e.subject.label.slice(0, MAX_LABEL),
      details: e.details ?? {},
    }));
    await (tx ?? this.repo.manager).insert(AuditEvent, rows);
  }

  listForSubject(subjectType: string, subjectId: string, limit: number): Promise<AuditEvent[]> {
    return this.repo.find({ where: { subjectType, subjectId }, order: { id: 'DESC' }, take: limit });
  }

  /** Newest first, a page at a time, older than `before` (an id) when given, narrowed by `filter`. */
  listPage(before: string | null, limit: number, filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const q = this.repo.createQueryBuilder('e').orderBy('e.id', 'DESC').take(limit);
    if (before) q.andWhere('e.id < :before', { before });
    if (filter.keyId) q.andWhere(`e.subject_type = 'api_key' AND e.subject_id = :keyId`, { keyId: filter.keyId });
    if (filter.action) q.andWhere('e.action = :action', { action: filter.action });
    if (filter.managerId) {
      q.andWhere('(e.actor_id = :managerId OR e.subject_owner_id = :managerId OR (e.subject_type = \'manager\' AND e.subject_id = :managerId))', {
        managerId: filter.managerId,
      });
    }
    return q.getMany();
  }
}
