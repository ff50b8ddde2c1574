import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { FileCursor } from './file-cursor';
import { StoredFile } from './stored-file.entity';

export interface NewPendingFile {
  ownerId: string;
  filename: string;
  mimeType: string;
  size: number;
  expectedSha256: string | null;
  expiresAt: Date;
}

export interface FilePageQuery {
  limit: number;
  after: FileCursor | null;
  includePending: boolean;
}

export interface FilePage {
  files: StoredFile[];
  /** Where the next page starts, or null on the last page. */
  next: FileCursor | null;
}

/** `created_at` exactly as stored (microseconds), for cursors. */
const CURSOR_TIME = `to_char(f.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

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

  /**
   * The commit point of an upload: one UPDATE (its own transaction) flips a
   * still-pending, unexpired row to ready with its blob. Null when the row is
   * gone, already ready (a racing upload won) or expired.
   */
  markReady(
    ownerId: string,
    id: string,
    content: { sha256: string; blobKey: string },
    now: Date,
  ): Promise<StoredFile | null> {
    return this.repo.manager.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(StoredFile)
        .set({ status: 'ready', sha256: content.sha256, blobKey: content.blobKey, uploadedAt: now, expiresAt: null })
        .where('id = :id AND owner_id = :ownerId', { id, ownerId })
        .andWhere(`status = 'pending' AND expires_at > :now`, { now })
        .execute();
      if (result.affected !== 1) return null;
      return manager.findOneBy(StoredFile, { id });
    });
  }

  /** Newest first, keyset-paginated over (created_at, id): no offsets, nothing lost or repeated. */
  async pageForOwner(ownerId: string, query: FilePageQuery): Promise<FilePage> {
    const qb = this.repo
      .createQueryBuilder('f')
      .addSelect(CURSOR_TIME, 'cursor_time')
      .where('f.owner_id = :ownerId', { ownerId });
    if (!query.includePending) qb.andWhere(`f.status = 'ready'`);
    if (query.after) {
      qb.andWhere('(f.created_at, f.id) < (CAST(:afterTime AS timestamptz), CAST(:afterId AS uuid))', {
        afterTime: query.after.createdAt,
        afterId: query.after.id,
      });
    }
    qb.orderBy('f.created_at', 'DESC').addOrderBy('f.id', 'DESC').limit(query.limit + 1);
    const { entities, raw } = await qb.getRawAndEntities<{ cursor_time: string }>();
    if (entities.length <= query.limit) return { files: entities, next: null };
    const files = entities.slice(0, query.limit);
    const last = files[files.length - 1];
    return { files, next: { createdAt: raw[query.limit - 1].cursor_time, id: last.id } };
  }

  async usageForOwner(ownerId: string): Promise<{ fileCount: number; totalBytes: number }> {
    const row = await this.repo
      .createQueryBuilder('f')
      .select('COUNT(*)', 'count')
      .addSelect('COALESCE(SUM(f.size), 0)', 'bytes')
      .where(`f.owner_id = :ownerId AND f.status = 'ready'`, { ownerId })
      .getRawOne<{ count: string; bytes: string }>();
    return { fileCount: Number(row?.count ?? 0), totalBytes: Number(row?.bytes ?? 0) };
  }

  /** Deletes the owner's file row (pending or ready); false when there is none. */
  async deleteForOwner(ownerId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ ownerId, id });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Deletes up to `batch` pending rows that expired before `now` and answers
   * their ids (so their partial blobs can go too). SKIP LOCKED lets several
   * instances sweep at once without waiting on each other.
   */
  async deleteExpiredPending(now: Date, batch: number): Promise<string[]> {
    const result = await this.repo
      .createQueryBuilder()
      .delete()
      .from(StoredFile)
      .where(
        `id IN (SELECT id FROM stored_files
                 WHERE status = 'pending' AND expires_at <= :now
                 ORDER BY expires_at LIMIT :batch
                 FOR UPDATE SKIP LOCKED)`,
        { now, batch },
      )
      .returning('id')
      .execute();
    return (result.raw as Array<{ id: string }>).map((row) => row.id);
  }

  /** Which of `keys` a row names as its blob (for reconciliation). */
  async blobKeysInUse(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = (await this.repo.query(`SELECT blob_key FROM stored_files WHERE blob_key = ANY($1)`, [keys])) as Array<{ blob_key: string }>;
    return new Set(rows.map((r) => r.blob_key));
  }

  /** Ready files after `afterId` in id order, a page at a time (for reconciliation). */
  async readyBlobsAfter(afterId: string | null, limit: number): Promise<Array<{ id: string; blobKey: string; size: number }>> {
    const rows = (await this.repo.query(
      `SELECT id, blob_key, size FROM stored_files WHERE status = 'ready' AND ($1::uuid IS NULL OR id > $1::uuid) ORDER BY id LIMIT $2`,
      [afterId, limit],
    )) as Array<{ id: string; blob_key: string; size: string }>;
    return rows.map((r) => ({ id: r.id, blobKey: r.blob_key, size: Number(r.size) }));
  }
}
