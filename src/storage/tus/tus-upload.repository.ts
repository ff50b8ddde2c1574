import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository, type EntityManager } from 'typeorm';
import type { ResumableState } from '../blob/blob-store';
import { StoredFile } from '../stored-file.entity';
import { TusUpload } from './tus-upload.entity';

/** How long a PATCH holds an upload without progress: a writer that died frees it within this. */
export const LEASE_SECONDS = 4;

export type ClaimResult =
  | { kind: 'claimed'; upload: TusUpload; takeover: boolean }
  | { kind: 'missing' }
  | { kind: 'offset'; upload: TusUpload }
  | { kind: 'busy' };

export interface AppendCommit {
  offset: number;
  storeState: ResumableState;
  hashState: Buffer | null;
}

/**
 * tus upload rows. Appends are serialised by a lease (`lock_token` until
 * `locked_until`, judged by the database's clock so instances agree): a PATCH
 * claims it together with the offset it expects, and its commit only lands
 * while it still holds the lease at that offset. No in-memory lock anywhere.
 */
@Injectable()
export class TusUploadRepository {
  constructor(@InjectRepository(TusUpload) private readonly repo: Repository<TusUpload>) {}

  /** Inserts a plain or final upload together with its pending file (one transaction). */
  insertWithFile(file: Partial<StoredFile>, upload: Partial<TusUpload>): Promise<{ file: StoredFile; upload: TusUpload }> {
    return this.repo.manager.transaction(async (manager) => {
      const savedFile = await manager.save(StoredFile, manager.create(StoredFile, file));
      const saved = await manager.save(TusUpload, manager.create(TusUpload, { ...upload, id: savedFile.id, fileId: savedFile.id }));
      return { file: savedFile, upload: saved };
    });
  }

  insertPartial(upload: Partial<TusUpload>): Promise<TusUpload> {
    return this.repo.save(this.repo.create({ ...upload, fileId: null }));
  }

  findForOwner(ownerId: string, id: string): Promise<TusUpload | null> {
    return this.repo.findOneBy({ ownerId, id });
  }

  existsForFile(fileId: string): Promise<boolean> {
    return this.repo.existsBy({ fileId });
  }

  findPartialsForOwner(ownerId: string, ids: string[]): Promise<TusUpload[]> {
    return this.repo.findBy({ ownerId, id: In(ids), concat: 'partial' });
  }

  /**
   * Takes the lease for an append at `offset`. The row lock (FOR UPDATE) makes
   * two racing claims run one after the other: the second sees the first's lease.
   */
  claim(ownerId: string, id: string, offset: number, token: string): Promise<ClaimResult> {
    return this.repo.manager.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, upload_offset, lock_token, locked_until > now() AS lease_live
           FROM tus_uploads WHERE id = $1 AND owner_id = $2 FOR UPDATE`,
        [id, ownerId],
      )) as Array<{ upload_offset: string; lock_token: string | null; lease_live: boolean | null }>;
      if (rows.length === 0) return { kind: 'missing' } as const;
      const [row] = rows;
      if (row.lock_token !== null && row.lease_live) return { kind: 'busy' } as const;
      const upload = await manager.findOneByOrFail(TusUpload, { id });
      if (Number(row.upload_offset) !== offset) return { kind: 'offset', upload } as const;
      await manager.query(
        `UPDATE tus_uploads SET lock_token = $2, locked_until = now() + make_interval(secs => $3) WHERE id = $1`,
        [id, token, LEASE_SECONDS],
      );
      return { kind: 'claimed', upload, takeover: row.lock_token !== null } as const;
    });
  }

  /** Extends the lease while bytes keep coming; false when it was lost (someone took over). */
  async renew(id: string, token: string): Promise<boolean> {
    const result = await this.repo.manager.query(
      `UPDATE tus_uploads SET locked_until = now() + make_interval(secs => $3) WHERE id = $1 AND lock_token = $2`,
      [id, token, LEASE_SECONDS],
    );
    return (result as [unknown, number])[1] === 1;
  }

  /**
   * Records durable bytes and releases the lease in one conditional UPDATE:
   * it lands only for the lease holder at the offset it claimed.
   */
  async commitAppend(id: string, token: string, fromOffset: number, commit: AppendCommit): Promise<boolean> {
    const result = await this.repo
      .createQueryBuilder()
      .update(TusUpload)
      .set({ offset: commit.offset, storeState: commit.storeState as never, hashState: commit.hashState, lockToken: null, lockedUntil: null })
      .where('id = :id AND lock_token = :token AND upload_offset = :fromOffset', { id, token, fromOffset })
      .execute();
    return result.affected === 1;
  }

  /** Gives the lease back without changing anything (a refused or discarded append). */
  async release(id: string, token: string): Promise<void> {
    await this.repo.update({ id, lockToken: token }, { lockToken: null, lockedUntil: null });
  }

  /**
   * A finished upload: for a plain or final one the file flips to ready in the
   * same transaction (still pending and unexpired, as a PUT's commit). False
   * when the file is gone, expired or was completed by someone else.
   */
  markComplete(upload: TusUpload, ready: { sha256: string; blobKey: string } | null, now: Date): Promise<boolean> {
    return this.repo.manager.transaction(async (manager: EntityManager) => {
      const done = await manager.update(
        TusUpload,
        { id: upload.id, completed: false },
        { completed: true, offset: upload.length, hashState: null, lockToken: null, lockedUntil: null },
      );
      if (done.affected !== 1) return false;
      if (upload.fileId === null || ready === null) return true;
      const flipped = await manager
        .createQueryBuilder()
        .update(StoredFile)
        .set({ status: 'ready', sha256: ready.sha256, blobKey: ready.blobKey, uploadedAt: now, expiresAt: null })
        .where(`id = :id AND status = 'pending' AND expires_at > :now`, { id: upload.fileId, now })
        .execute();
      if (flipped.affected === 1) return true;
      // Roll the completion back with the transaction.
      throw new CompletionLost();
    }).catch((error: unknown) => {
      if (error instanceof CompletionLost) return false;
      throw error;
    });
  }

  /** Deletes a partial upload's row; false when there is none for this owner. */
  async deletePartial(ownerId: string, id: string): Promise<boolean> {
    const result = await this.repo.delete({ ownerId, id, fileId: IsNull() });
    return (result.affected ?? 0) > 0;
  }

  /** Up to `batch` partials that expired before `now`, deleted; answers their ids for their blobs. SKIP LOCKED as the file sweep. */
  async deleteExpiredPartials(now: Date, batch: number): Promise<string[]> {
    const rows = (await this.repo.manager.query(
      `DELETE FROM tus_uploads WHERE id IN (
         SELECT id FROM tus_uploads WHERE file_id IS NULL AND expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id`,
      [now, batch],
    )) as [Array<{ id: string }>, number];
    return rows[0].map((row) => row.id);
  }
}

class CompletionLost extends Error {}
