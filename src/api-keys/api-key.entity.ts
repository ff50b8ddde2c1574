import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Manager } from '../managers';
import { API_KEY_SCOPES, type ApiKeyScope } from './api-key-scopes';

@Entity('api_keys')
@Index('idx_api_keys_owner_created', ['ownerId', 'createdAt'])
// What the expiry sweep looks for: active keys whose expiry is set and not yet audited.
@Index('idx_api_keys_unrecorded_expiry', ['expiresAt'], {
  where: 'is_active AND expires_at IS NOT NULL AND expiry_recorded_at IS NULL',
})
// A rolled key's successor is found by this (and ON DELETE SET NULL needs it).
@Index('idx_api_keys_replaced_by', ['replacedById'], { where: 'replaced_by_id IS NOT NULL' })
// At least one scope, and only known ones (the guard would refuse an unknown one anyway).
@Check('chk_api_keys_scopes', `cardinality(scopes) > 0 AND scopes <@ ARRAY[${API_KEY_SCOPES.map((s) => `'${s}'`).join(', ')}]::text[]`)
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => Manager, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id' })
  owner?: Manager;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  /** SHA-256 of the full key, lowercase hex. The plaintext is never stored. */
  @Index('uq_api_keys_key_hash', { unique: true })
  @Column({ name: 'key_hash', type: 'char', length: 64 })
  keyHash: string;

  /** Last four characters of the key, for display as `exstr_live_…abcd`. */
  @Column({ name: 'last_four', type: 'char', length: 4 })
  lastFour: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'is_active', type: 'boolean', default: true })
  isActive: boolean;

  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt: Date | null;

  /** Null: never expires. After a roll with grace, the end of the grace period. */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  /** Canonical order (see normalizeScopes); existing keys were migrated with all of them. */
  @Column({ type: 'text', array: true, default: () => `'{${API_KEY_SCOPES.join(',')}}'` })
  scopes: ApiKeyScope[];

  /** Set when the key was rolled: its replacement. */
  @Column({ name: 'replaced_by_id', type: 'uuid', nullable: true })
  replacedById: string | null;

  @ManyToOne(() => ApiKey, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'replaced_by_id' })
  replacedBy?: ApiKey | null;

  @Column({ name: 'rolled_at', type: 'timestamptz', nullable: true })
  rolledAt: Date | null;

  /** When the expiry sweep wrote the key's "expired" audit entry (once, whichever instance saw it first). */
  @Column({ name: 'expiry_recorded_at', type: 'timestamptz', nullable: true })
  expiryRecordedAt: Date | null;

  /** Client address of the latest use (from the coalesced flush, like lastUsedAt). */
  @Column({ name: 'last_client_ip', type: 'varchar', length: 64, nullable: true })
  lastClientIp: string | null;

  @Column({ name: 'last_user_agent', type: 'varchar', length: 512, nullable: true })
  lastUserAgent: string | null;

  /** CIDR ranges (canonical, see allowed-networks.ts) the key may be used from; empty: anywhere. */
  @Column({ name: 'allowed_networks', type: 'text', array: true, default: () => "'{}'" })
  allowedNetworks: string[];

  /** The latest request refused for coming from outside allowedNetworks (coalesced, like lastUsedAt). */
  @Column({ name: 'last_refused_ip', type: 'varchar', length: 64, nullable: true })
  lastRefusedIp: string | null;

  @Column({ name: 'last_refused_at', type: 'timestamptz', nullable: true })
  lastRefusedAt: Date | null;

  /** Set when someone reported the key as leaked (it was deactivated then); cleared once the owner acknowledges or rolls it. */
  @Column({ name: 'leak_reported_at', type: 'timestamptz', nullable: true })
  leakReportedAt: Date | null;
}
