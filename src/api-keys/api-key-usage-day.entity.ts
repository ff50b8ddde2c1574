import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ApiKey } from './api-key.entity';

/**
 * Requests per key per UTC day, added to by the coalesced last-use flush
 * (never one write per request). Several instances add their own counts.
 */
@Entity('api_key_usage_days')
export class ApiKeyUsageDay {
  @PrimaryColumn({ name: 'key_id', type: 'uuid' })
  keyId: string;

  @ManyToOne(() => ApiKey, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'key_id' })
  key?: ApiKey;

  /** UTC calendar day, `YYYY-MM-DD`. */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'integer' })
  requests: number;

  /** Requests with a valid key refused for their client address (allowed networks). */
  @Column({ type: 'integer', default: 0 })
  refused: number;
}
