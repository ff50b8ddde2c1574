import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type ManagerRole = 'admin' | 'manager';

@Entity('managers')
export class Manager {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Stored lower-cased; unique. */
  @Column({ type: 'varchar', length: 254, unique: true })
  email: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16 })
  role: ManagerRole;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  /** Set while the manager is disabled: no sign-in, and their keys answer 401. */
  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  /** SHA-256 of the outstanding one-time reset link's token, if any. */
  @Column({ name: 'reset_token_hash', type: 'char', length: 64, nullable: true, select: false })
  resetTokenHash: string | null;

  @Column({ name: 'reset_expires_at', type: 'timestamptz', nullable: true })
  resetExpiresAt: Date | null;
}
