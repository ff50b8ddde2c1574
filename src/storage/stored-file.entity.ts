import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Manager } from '../managers/manager.entity';

export type StoredFileStatus = 'pending' | 'ready';

/** What created a file; null: stored before attribution existed (unknown). */
export type UploadSource = 'api_key' | 'dashboard';

@Entity('stored_files')
@Index('idx_stored_files_owner_created', ['ownerId', 'createdAt', 'id'])
@Index('idx_stored_files_pending_expiry', ['expiresAt'], { where: `status = 'pending'` })
// The FileAttribution migration's indexes, which TypeORM cannot model (INCLUDE,
// a pg_trgm GIN index), are there only: idx_stored_files_ready_created,
// idx_stored_files_owner_ready, idx_stored_files_key_created, idx_stored_files_filename_trgm.
export class StoredFile {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => Manager, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id' })
  owner?: Manager;

  /** Metadata only: blobs are stored under server-generated names. */
  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Column({ name: 'mime_type', type: 'varchar', length: 255 })
  mimeType: string;

  @Column({ type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  size: number;

  @Column({ type: 'varchar', length: 16 })
  status: StoredFileStatus;

  /** Checksum the client promised at creation (verified on upload), if any. */
  @Column({ name: 'expected_sha256', type: 'char', length: 64, nullable: true })
  expectedSha256: string | null;

  /** Checksum the server computed while streaming the bytes in. */
  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ name: 'blob_key', type: 'varchar', length: 255, nullable: true })
  blobKey: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'uploaded_at', type: 'timestamptz', nullable: true })
  uploadedAt: Date | null;

  @Column({ name: 'upload_source', type: 'varchar', length: 16, nullable: true })
  uploadSource: UploadSource | null;

  /** The key that created the file; no foreign key, so a deleted key's files keep it. */
  @Column({ name: 'uploaded_by_key_id', type: 'uuid', nullable: true })
  uploadedByKeyId: string | null;

  /** The key's name when it created the file, kept as text. */
  @Column({ name: 'uploaded_by_key_name', type: 'varchar', length: 100, nullable: true })
  uploadedByKeyName: string | null;
}
