import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { AuditDetails } from './audit-event.types';

/**
 * One line of the audit trail. Append-only: a database trigger refuses
 * UPDATE, DELETE and TRUNCATE (see the KeyLifecycle migration). No foreign
 * keys: entries outlive the keys and managers they name, so what they name is
 * copied in (email, label) at the time of the event.
 */
@Entity('audit_events')
@Index('idx_audit_events_subject', ['subjectType', 'subjectId', 'id'])
export class AuditEvent {
  /** Also the order of events: ids only grow. */
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS' })
  id: string;

  @Column({ type: 'timestamptz' })
  at: Date;

  /** `api_key.created`, `api_key.rolled`, `api_key.deactivated`, `api_key.expired`, `api_key.deleted`. */
  @Column({ type: 'varchar', length: 64 })
  action: string;

  /** Null for events the system noticed itself (an expiry). */
  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ name: 'actor_email', type: 'varchar', length: 254, nullable: true })
  actorEmail: string | null;

  /** Where the actor acted from (request.ip, honouring EDS_TRUST_PROXY). */
  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true })
  clientIp: string | null;

  @Column({ name: 'user_agent', type: 'varchar', length: 512, nullable: true })
  userAgent: string | null;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType: string;

  @Column({ name: 'subject_id', type: 'uuid' })
  subjectId: string;

  /** The manager the subject belongs to, so owners can read their own trail. */
  @Column({ name: 'subject_owner_id', type: 'uuid', nullable: true })
  subjectOwnerId: string | null;

  /** What the subject was called then, e.g. `Nightly backup (exstr_live_…a1b2)`. */
  @Column({ name: 'subject_label', type: 'varchar', length: 200 })
  subjectLabel: string;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  details: AuditDetails;
}
