import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ResumableState } from '../blob/blob-store';
import type { TusConcat } from './tus-protocol';

const bigint = { to: (v: number) => v, from: (v: string) => Number(v) };

/**
 * A tus upload. Plain and final uploads share their id with their stored file
 * (`file_id`, cascading: deleting or sweeping the file removes this row);
 * partials have no file (they are never listed) and expire on their own.
 */
@Entity('tus_uploads')
@Index('idx_tus_uploads_partial_expiry', ['expiresAt'], { where: 'file_id IS NULL' })
export class TusUpload {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @Column({ name: 'file_id', type: 'uuid', nullable: true })
  fileId: string | null;

  @Column({ type: 'varchar', length: 8 })
  concat: TusConcat;

  @Column({ name: 'upload_length', type: 'bigint', transformer: bigint })
  length: number;

  /** The durable offset: only ever raised after the bytes below it were made durable. */
  @Column({ name: 'upload_offset', type: 'bigint', transformer: bigint })
  offset: number;

  /** `Upload-Metadata` as the client sent it, echoed by HEAD. */
  @Column({ type: 'text', nullable: true })
  metadata: string | null;

  /** A final's `Upload-Concat` (as paths), echoed by HEAD. */
  @Column({ name: 'concat_header', type: 'text', nullable: true })
  concatHeader: string | null;

  @Column({ name: 'store_state', type: 'jsonb' })
  storeState: ResumableState;

  /**
   * SHA-256 of bytes [0, hashOffset), as a resumable hasher state (hash-wasm),
   * so any instance continues it. It may lag behind the offset: the process
   * that wrote the bytes since holds their hash in memory (tus-append.ts).
   */
  @Column({ name: 'hash_state', type: 'bytea', nullable: true })
  hashState: Buffer | null;

  /** Where `hashState` stands; null with no state saved (offset 0). */
  @Column({ name: 'hash_offset', type: 'bigint', nullable: true, transformer: { to: (v: number | null) => v, from: (v: string | null) => (v === null ? null : Number(v)) } })
  hashOffset: number | null;

  @Column({ type: 'boolean', default: false })
  completed: boolean;

  @Column({ name: 'lock_token', type: 'uuid', nullable: true })
  lockToken: string | null;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
