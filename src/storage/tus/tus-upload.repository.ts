import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, IsNull, Repository, type EntityManager } from 'typeorm';
import type { ResumableState } from '../blob/blob-store';
import { StoredFile } from '../stored-file.entity';
import { TusUpload } from './tus-upload.entity';
import { columnList, entityFromRow } from '../../database/entity-from-row';
import { type PreparedStatement, runPrepared } from '../../database/prepared-statement';

/** How long a PATCH holds an upload without progress: a writer that died frees it within this. */
export const LEASE_SECONDS = 4;

/** commitAppend, prepared (see runPrepared): the saved hash (when $6) is recorded with the offset it is at. */
const COMMIT_APPEND: PreparedStatement = {
  name: 'eds_tus_commit_append',
  text: `UPDATE tus_uploads
            SET upload_offset = $4, store_state = $5::jsonb,
                hash_state = CASE WHEN $6::boolean THEN $7::bytea ELSE hash_state END,
                hash_offset = CASE WHEN $6::boolean THEN $8::bigint ELSE hash_offset END,
                lock_token = NULL, locked_until = NULL
          WHERE id = $1 AND lock_token = $2 AND upload_offset = $3
      RETURNING 1`,
};

/** The statement of every whole upload sent with its creation, prepared. */
const INSERT_COMPLETED: PreparedStatement = {
  name: 'eds_tus_insert_completed',
  text: `WITH file AS (
           INSERT INTO stored_files (id, owner_id, filename, mime_type, size, status, expected_sha256, sha256, blob_key,
                                     uploaded_at, upload_source, uploaded_by_key_id, uploaded_by_key_name)
           VALUES ($1, $2, $3, $4, $5, 'ready', $6, $7, $8, $9, $10, $11, $12)
           RETURNING id)
         INSERT INTO tus_uploads (id, owner_id, file_id, concat, upload_length, upload_offset, metadata, store_state, completed, expires_at)
         SELECT id, $2, id, 'none', $5, $5, $13, $14, true, $15 FROM file`,
};

export type ClaimResult =
  | { kind: 'claimed'; upload: TusUpload; takeover: boolean }
  | { kind: 'missing' }
  | { kind: 'offset'; upload: TusUpload }
  | { kind: 'busy' };

/** A file whose bytes are durable, as `insertCompleted` records it. */
export type CompletedFile = Pick<
  StoredFile,
  'id' | 'ownerId' | 'filename' | 'mimeType' | 'size' | 'expectedSha256' | 'uploadSource' | 'uploadedByKeyId' | 'uploadedByKeyName'
> & { sha256: string; blobKey: string; uploadedAt: Date };

export interface AppendCommit {
  offset: number;
  storeState: ResumableState;
  /** The whole-file hash state to save, where it is saved (else the saved one stays as it was). */
  savedHash: { state: Buffer; offset: number } | null;
}

/**
 * tus upload rows. Appends are serialised by a lease (`lock_token` until
 * `locked_until`, judged by the database's clock so instances agree): a PATCH
 * claims it together with the offset it expects, and its commit only lands
 * while it still holds the lease at that offset. No in-memory lock anywhere.
 */
@Injectable()
export class TusUploadRepository {
  private readonly claimStatement: PreparedStatement;
  private readonly claimOpenStatement: PreparedStatement;

  constructor(@InjectRepository(TusUpload) private readonly repo: Repository<TusUpload>) {
    const claim = (name: string, condition: string): PreparedStatement => ({
      name,
      text: `WITH prior AS (SELECT id, lock_token FROM tus_uploads WHERE id = $1 AND owner_id = $2 FOR UPDATE)
             UPDATE tus_uploads t SET lock_token = $3, locked_until = now() + make_interval(secs => $4)
               FROM prior
              WHERE t.id = prior.id AND t.upload_offset = $5 AND (t.lock_token IS NULL OR t.locked_until <= now())${condition}
             RETURNING ${columnList(repo, 't')}, prior.lock_token IS NOT NULL AS takeover`,
    });
    this.claimStatement = claim('eds_tus_claim', '');
    // The same claim, taken only on an upload a PATCH may append to: unfinished, not a final, not expired at $6.
    this.claimOpenStatement = claim('eds_tus_claim_open', ` AND NOT t.completed AND t.concat <> 'final' AND t.expires_at > $6`);
  }

  /** Inserts a plain or final upload together with its pending file (one transaction). */
  insertWithFile(file: Partial<StoredFile>, upload: Partial<TusUpload>): Promise<{ file: StoredFile; upload: TusUpload }> {
    return this.repo.manager.transaction(async (manager) => {
      const savedFile = await manager.save(StoredFile, manager.create(StoredFile, file));
      const saved = await manager.save(TusUpload, manager.create(TusUpload, { ...upload, id: savedFile.id, fileId: savedFile.id }));
      return { file: savedFile, upload: saved };
    });
  }

  /**
   * A whole upload that arrived with its creation: the ready file and its
   * completed upload in one INSERT (one round trip, one commit), after its
   * bytes were made durable under `file.blobKey`.
   */
  async insertCompleted(file: CompletedFile, upload: { metadata: string | null; expiresAt: Date }): Promise<void> {
    await runPrepared(this.repo.manager.connection, INSERT_COMPLETED, [
      file.id,
      file.ownerId,
      file.filename,
      file.mimeType,
      file.size,
      file.expectedSha256,
      file.sha256,
      file.blobKey,
      file.uploadedAt,
      file.uploadSource,
      file.uploadedByKeyId,
      file.uploadedByKeyName,
      upload.metadata,
      { key: file.blobKey },
      upload.expiresAt,
    ]);
  }

  insertPartial(upload: Partial<TusUpload>): Promise<TusUpload> {
    return this.repo.save(this.repo.create({ ...upload, fileId: null }));
  }

  findForOwner(ownerId: string, id: string): Promise<TusUpload | null> {
    return this.repo.findOneBy({ ownerId, id });
  }

  findPartialsForOwner(ownerId: string, ids: string[]): Promise<TusUpload[]> {
    return this.repo.findBy({ ownerId, id: In(ids), concat: 'partial' });
  }

  /**
   * Takes the lease for an append at `offset`, in one statement: the row lock
   * (FOR UPDATE) makes two racing claims run one after the other, and the
   * second sees the first's lease. Only a refused claim reads again, to say why.
   */
  async claim(ownerId: string, id: string, offset: number, token: string): Promise<ClaimResult> {
    const claimed = await this.runClaim(this.claimStatement, [id, ownerId, token, LEASE_SECONDS, offset]);
    if (claimed) return { kind: 'claimed', ...claimed };
    const rows = (await this.repo.query(`SELECT *, locked_until > now() AS lease_live FROM tus_uploads WHERE id = $1 AND owner_id = $2`, [
      id,
      ownerId,
    ])) as Array<Record<string, unknown> & { lease_live: boolean | null }>;
    if (rows.length === 0) return { kind: 'missing' };
    const upload = entityFromRow(this.repo, rows[0]);
    // Held, or let go between the two statements (the same offset): either way, try again.
    if ((upload.lockToken !== null && rows[0].lease_live) || upload.offset === offset) return { kind: 'busy' };
    return { kind: 'offset', upload };
  }

  /**
   * The claim a PATCH tries first, in place of reading the upload: taken only
   * when the upload is unfinished, not a final and unexpired at `now`, else
   * null, without saying why (the caller reads the upload to tell).
   */
  claimOpen(ownerId: string, id: string, offset: number, token: string, now: Date): Promise<{ upload: TusUpload; takeover: boolean } | null> {
    return this.runClaim(this.claimOpenStatement, [id, ownerId, token, LEASE_SECONDS, offset, now]);
  }

  /** Runs one of the claim statements: the claimed upload, or null when the claim was not taken. */
  private async runClaim(statement: PreparedStatement, values: unknown[]): Promise<{ upload: TusUpload; takeover: boolean } | null> {
    const [row] = await runPrepared<Record<string, unknown> & { takeover: boolean }>(this.repo.manager.connection, statement, values);
    return row === undefined ? null : { upload: entityFromRow(this.repo, row), takeover: row.takeover };
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
    const saved = commit.savedHash;
    const rows = await runPrepared(this.repo.manager.connection, COMMIT_APPEND, [
      id,
      token,
      fromOffset,
      commit.offset,
      JSON.stringify(commit.storeState),
      saved !== null,
      saved?.state ?? null,
      saved?.offset ?? null,
    ]);
    return rows.length === 1;
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
        { completed: true, offset: upload.length, hashState: null, hashOffset: null, lockToken: null, lockedUntil: null },
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
