import { Injectable, Logger } from '@nestjs/common';
import type { Actor } from './actor';
import type { Manager, ManagerRole } from './manager.entity';
import { ManagerRepository } from './manager.repository';
import { ManagerErrors } from './managers.errors';
import { PasswordHasher } from './password-hasher';

export interface ManagerSummary {
  id: string;
  email: string;
  role: ManagerRole;
  createdAt: Date;
  disabledAt: Date | null;
}

/** What a sign-in attempt found: who, when the password was right; whether the account is disabled. */
export interface SignInCheck {
  /** The account the email names, whether or not the password was right (for the audit). */
  account: Actor | null;
  ok: boolean;
  disabled: boolean;
}

@Injectable()
export class ManagersService {
  private readonly logger = new Logger(ManagersService.name);

  constructor(
    private readonly managers: ManagerRepository,
    private readonly hasher: PasswordHasher,
  ) {}

  async hasAny(): Promise<boolean> {
    return (await this.managers.count()) > 0;
  }

  async create(email: string, password: string, role: ManagerRole): Promise<ManagerSummary> {
    const created = await this.managers.insert(email, await this.hasher.hash(password), role);
    if (!created) throw ManagerErrors.emailTaken();
    this.logger.log(`Manager ${created.id} (${role}) created`);
    return toSummary(created);
  }

  /**
   * The same answer, and about the same time, for an unknown email and for a
   * wrong password: nothing tells which accounts exist.
   */
  async verifyCredentials(email: string, password: string): Promise<Actor | null> {
    const check = await this.checkSignIn(email, password);
    return check.ok && !check.disabled ? check.account : null;
  }

  /** Like verifyCredentials, but says "disabled" — only to someone who knows the password. */
  async checkSignIn(email: string, password: string): Promise<SignInCheck> {
    const manager = await this.managers.findByEmail(email.trim());
    const ok = (await this.hasher.verify(manager?.passwordHash ?? null, password)) && manager !== null;
    return { account: manager ? toActor(manager) : null, ok, disabled: ok && manager!.disabledAt !== null };
  }

  /** The signed-in manager, or null when gone or disabled (their sessions end at once). */
  async findActor(id: string): Promise<Actor | null> {
    const manager = await this.managers.findById(id);
    return manager && manager.disabledAt === null ? toActor(manager) : null;
  }

  async list(): Promise<ManagerSummary[]> {
    return (await this.managers.listAll()).map(toSummary);
  }
}

const toActor = (m: Manager): Actor => ({ id: m.id, email: m.email, role: m.role });
const toSummary = (m: Manager): ManagerSummary => ({
  id: m.id,
  email: m.email,
  role: m.role,
  createdAt: m.createdAt,
  disabledAt: m.disabledAt,
});
