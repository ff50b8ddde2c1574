import { Injectable, Logger } from '@nestjs/common';
import { ManagerErrors } from './managers.errors';
import { createHash, randomBytes } from 'node:crypto';
import { AuditService } from '../audit/audit.service';
import { NO_ORIGIN, type AuditOrigin, type AuditSubject } from '../audit/audit-event.types';
import { Clock } from '../common/clock';
import type { Actor } from './actor';
import type { Manager, ManagerRole } from './manager.entity';
import { ManagerRepository } from './manager.repository';
import { PasswordHasher } from './password-hasher';

/** How long a one-time password-reset link works (DESIGN.md §5a). */
export const RESET_LINK_TTL_MS = 24 * 3600_000;

/** A sign-in that failed for no known account is audited under this subject id. */
const UNKNOWN_ACCOUNT = '00000000-0000-0000-0000-000000000000';

export const LAST_ADMIN = ManagerErrors.lastAdmin().message;

const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');
const subjectOf = (m: Pick<Manager, 'id' | 'email'>): AuditSubject => ({ type: 'manager', id: m.id, ownerId: m.id, label: m.email });
const by = (actor: Actor) => ({ id: actor.id, email: actor.email });

/**
 * What an admin and each manager can do to accounts once they exist: change
 * one's password, disable and enable, change a role (never leaving zero
 * active admins), and a one-time reset link. Every change is audited in the
 * transaction that makes it. Ending sessions and stopping keys are the
 * callers' part (the dashboard's sessions, the api-keys cache).
 */
@Injectable()
export class ManagerAccountsService {
  private readonly logger = new Logger(ManagerAccountsService.name);

  constructor(
    private readonly managers: ManagerRepository,
    private readonly hasher: PasswordHasher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /** Audits a sign-in attempt; `account` is the manager the email named, if any. */
  async recordSignIn(email: string, account: Actor | null, ok: boolean, origin: AuditOrigin): Promise<void> {
    const subject: AuditSubject = account ? subjectOf(account) : { type: 'manager', id: UNKNOWN_ACCOUNT, ownerId: null, label: email.slice(0, 200) };
    await this.audit.record([
      { action: ok ? 'manager.signed_in' : 'manager.sign_in_failed', at: this.clock.now(), actor: ok && account ? by(account) : null, origin, subject },
    ]);
  }

  async changeOwnPassword(actor: Actor, current: string, next: string, origin: AuditOrigin = NO_ORIGIN): Promise<void> {
    const manager = await this.managers.findByEmail(actor.email);
    if (!manager || !(await this.hasher.verify(manager.passwordHash, current))) {
      throw ManagerErrors.wrongCurrentPassword();
    }
    const passwordHash = await this.hasher.hash(next);
    await this.managers.transaction(async (tx) => {
      await this.managers.setPassword(actor.id, passwordHash, tx);
      await this.audit.record([{ action: 'manager.password_changed', at: this.clock.now(), actor: by(actor), origin, subject: subjectOf(manager) }], tx);
    });
  }

  /** Idempotent. Refused for oneself and for the last active admin. */
  async setDisabled(actor: Actor, id: string, disabled: boolean, origin: AuditOrigin = NO_ORIGIN): Promise<Manager> {
    if (disabled && id === actor.id) throw ManagerErrors.cannotDisableSelf();
    return this.managers.transaction(async (tx) => {
      const admins = await this.managers.lockActiveAdminIds(tx);
      const target = await this.managers.lockById(tx, id);
      if (!target) throw ManagerErrors.managerNotFound();
      if (disabled === (target.disabledAt !== null)) return target;
      if (disabled && admins.length === 1 && admins[0] === id) throw ManagerErrors.lastAdmin();
      const now = this.clock.now();
      await this.managers.setDisabled(tx, id, disabled ? now : null);
      await this.audit.record([{ action: disabled ? 'manager.disabled' : 'manager.enabled', at: now, actor: by(actor), origin, subject: subjectOf(target) }], tx);
      this.logger.log(`Manager ${id} ${disabled ? 'disabled' : 'enabled'} by ${actor.id}`);
      return { ...target, disabledAt: disabled ? now : null };
    });
  }

  async setRole(actor: Actor, id: string, role: ManagerRole, origin: AuditOrigin = NO_ORIGIN): Promise<Manager> {
    return this.managers.transaction(async (tx) => {
      const admins = await this.managers.lockActiveAdminIds(tx);
      const target = await this.managers.lockById(tx, id);
      if (!target) throw ManagerErrors.managerNotFound();
      if (target.role === role) return target;
      if (role !== 'admin' && admins.length === 1 && admins[0] === id) throw ManagerErrors.lastAdmin();
      await this.managers.setRole(tx, id, role);
      await this.audit.record(
        [{ action: 'manager.role_changed', at: this.clock.now(), actor: by(actor), origin, subject: subjectOf(target), details: { from: target.role, to: role } }],
        tx,
      );
      return { ...target, role };
    });
  }

  /** A fresh one-time link token (replacing any earlier one); only its hash is stored. */
  async issueReset(actor: Actor, id: string, origin: AuditOrigin = NO_ORIGIN): Promise<{ token: string; expiresAt: Date; email: string }> {
    const token = randomBytes(24).toString('base64url');
    const expiresAt = new Date(this.clock.now().getTime() + RESET_LINK_TTL_MS);
    const email = await this.managers.transaction(async (tx) => {
      const target = await this.managers.lockById(tx, id);
      if (!target) throw ManagerErrors.managerNotFound();
      await this.managers.setReset(tx, id, sha256(token), expiresAt);
      await this.audit.record([{ action: 'manager.reset_link_issued', at: this.clock.now(), actor: by(actor), origin, subject: subjectOf(target) }], tx);
      return target.email;
    });
    return { token, expiresAt, email };
  }

  /** The account a live reset link is for, or null (unknown, used or expired). */
  async resetTarget(token: unknown): Promise<{ id: string; email: string } | null> {
    if (typeof token !== 'string' || token.length === 0 || token.length > 200) return null;
    const manager = await this.managers.findByLiveResetHash(sha256(token), this.clock.now());
    return manager ? { id: manager.id, email: manager.email } : null;
  }

  /** Sets the new password and spends the link; null when the link no longer works. */
  async resetPassword(token: string, password: string, origin: AuditOrigin = NO_ORIGIN): Promise<{ id: string } | null> {
    const passwordHash = await this.hasher.hash(password);
    return this.managers.transaction(async (tx) => {
      const manager = await this.managers.lockByLiveResetHash(tx, sha256(token), this.clock.now());
      if (!manager) return null;
      await this.managers.setPassword(manager.id, passwordHash, tx);
      await this.audit.record([{ action: 'manager.password_reset', at: this.clock.now(), actor: null, origin, subject: subjectOf(manager) }], tx);
      return { id: manager.id };
    });
  }
}
