import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Manager, ManagerRole } from './manager.entity';

@Injectable()
export class ManagerRepository {
  constructor(@InjectRepository(Manager) private readonly repo: Repository<Manager>) {}

  count(): Promise<number> {
    return this.repo.count();
  }

  findById(id: string): Promise<Manager | null> {
    return this.repo.findOneBy({ id });
  }

  findByEmail(email: string): Promise<Manager | null> {
    return this.repo.findOneBy({ email: email.toLowerCase() });
  }

  listAll(): Promise<Manager[]> {
    return this.repo.find({ order: { createdAt: 'ASC' } });
  }

  /** Null when the email is taken. */
  async insert(email: string, passwordHash: string, role: ManagerRole): Promise<Manager | null> {
    const result = await this.repo
      .createQueryBuilder()
      .insert()
      .into(Manager)
      .values({ email: email.toLowerCase(), passwordHash, role })
      .orIgnore()
      .returning('*')
      .execute();
    const id = (result.identifiers[0] as { id?: string } | undefined)?.id;
    return id ? this.findById(id) : null;
  }
}
