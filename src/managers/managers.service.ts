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
    const manager = await this.managers.findByEmail(email.trim());
    const ok = await this.hasher.verify(manager?.passwordHash ?? null, password);
    return ok && manager ? toActor(manager) : null;
  }

  async findActor(id: string): Promise<Actor | null> {
    const manager = await this.managers.findById(id);
    return manager ? toActor(manager) : null;
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
});
