import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StoredFile } from './stored-file.entity';

export interface NewPendingFile {
  ownerId: string;
  filename: string;
  mimeType: string;
  size: number;
  expectedSha256: string | null;
  expiresAt: Date;
}

@Injectable()
export class StoredFileRepository {
  constructor(@InjectRepository(StoredFile) private readonly repo: Repository<StoredFile>) {}

  insertPending(file: NewPendingFile): Promise<StoredFile> {
    return this.repo.save(
      this.repo.create({ ...file, status: 'pending', sha256: null, blobKey: null, uploadedAt: null }),
    );
  }

  findForOwner(ownerId: string, id: string): Promise<StoredFile | null> {
    return this.repo.findOneBy({ ownerId, id });
  }
}
