import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Dashboard sessions live in Postgres so any instance can serve any manager. */
@Entity('dashboard_sessions')
export class DashboardSession {
  /** SHA-256 of the session id: a leaked table does not hand out live cookies. */
  @PrimaryColumn({ name: 'id_hash', type: 'char', length: 64 })
  idHash: string;

  @Column({ type: 'jsonb' })
  data: Record<string, unknown>;

  @Index('idx_dashboard_sessions_expires_at')
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;
}
