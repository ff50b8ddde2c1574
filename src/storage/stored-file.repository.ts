import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, Repository, type SelectQueryBuilder } from 'typeorm';
import type { OwnerScope } from '../managers';
import type { FileCursor } from './file-cursor';
import { type FileUploader, uploaderColumns } from './file-summary';
import { StoredFile } from './stored-file.entity';
import { columnList, entityFromRow } from '../database/entity-from-row';
import { type PreparedStatement, runPrepared } from '../database/prepared-statement';

export interface NewPendingFile {
  ownerId: string;
  filename: string;
  mimeType: string;
  size: number;
  expectedSha256: string | null;
  expiresAt: Date;
  uploadedBy: FileUploader;
}

export interface NewReadyFile {
  id: string;
  ownerId: string;
  filename: string;
  mimeType: string;
  size: number;
  sha256: string;
  blobKey: string;
  uploadedAt: Date;
  uploadedBy: FileUploader;
}

export interface FilePageQuery {
  limit: number;
  after: FileCursor | null;
  includePending: boolean;
  /** Case-insensitive substring of the filename, taken literally (`%` and `_` too). */
  nameContains?: string;
  /** Only files this key created. */
  uploadedByKeyId?: string;
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
  // The statements of every small upload, prepared (see runPrepared).
  private readonly insertPendingStatement: PreparedStatement;
  private readonly findForContentStatement: PreparedStatement;
  private readonly markReadyStatement: PreparedStatement;

  constructor(@InjectRepository(StoredFile) private readonly repo: Repository<StoredFile>) {
    const columns = columnList(repo);
    this.insertPendingStatement = {
      name: 'eds_stored_files_insert_pending',
      text: `INSERT INTO stored_files (owner_id, filename, mime_type, size, status, expected_sha256, expires_at, upload_source, uploaded_by_key_id, uploaded_by_key_name)
             VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8, $9)
             RETURNING ${columns}`,
    };
    this.findForContentStatement = {
      name: 'eds_stored_files_find_for_content',
      text: `SELECT ${columnList(repo, 'f')}, EXISTS (SELECT 1 FROM tus_uploads t WHERE t.file_id = f.id) AS via_tus
               FROM stored_files f WHERE f.id = $1 AND f.owner_id = $2`,
    };
    this.markReadyStatement = {
      name: 'eds_stored_files_mark_ready',
      text: `UPDATE stored_files SET status = 'ready', sha256 = $3, blob_key = $4, uploaded_at = $5, expires_at = NULL
              WHERE id = $1 AND owner_id = $2 AND status = 'pending' AND expires_at > $5
              RETURNING ${columns}`,
    };
  }

  /**
   * One INSERT … RETURNING, in autocommit, prepared: TypeORM's insert
   * builder cost more CPU than the statement's round trip, and planning it
   * afresh more of PostgreSQL's, on every small upload.
   */
  async insertPending({ uploadedBy, ...file }: NewPendingFile): Promise<StoredFile> {
    const who = uploaderColumns(uploadedBy);
    const [row] = await runPrepared(this.repo.manager.connection, this.insertPendingStatement, [
      file.ownerId, file.filename, file.mimeType, file.size, file.expectedSha256, file.expiresAt, who.uploadSource, who.uploadedByKeyId, who.uploadedByKeyName,
    ]);
    return this.hydrate(row);
  }

  /**
   * The file a content PUT is for, and whether a tus upload brings its bytes
   * instead (one statement); null when the owner has no such file.
   */
  async findForContent(ownerId: string, id: string): Promise<{ file: StoredFile; viaTus: boolean } | null> {
    const [row] = await runPrepared<Record<string, unknown> & { via_tus: boolean }>(this.repo.manager.connection, this.findForContentStatement, [id, ownerId]);
    return row === undefined ? null : { file: this.hydrate(row), viaTus: row.via_tus };
  }

  findForOwner(ownerId: string, id: string): Promise<StoredFile | null> {
    return this.repo.findOneBy({ ownerId, id });
  }

  findInScope(scope: OwnerScope, id: string): Promise<StoredFile | null> {
    return scope.kind === 'all' ? this.repo.findOneBy({ id }) : this.findForOwner(scope.ownerId, id);
  }

  /**
   * The commit point of an upload: one UPDATE (its own transaction) flips a
   * still-pending, unexpired row to ready with its blob, and answers the row
   * as it committed (RETURNING: no second statement, no transaction around
   * two; prepared, as insertPending). Null when the row is
   * gone, already ready (a racing upload won) or expired.
   */
  async markReady(
    ownerId: string,
    id: string,
    content: { sha256: string; blobKey: string },
    now: Date,
  ): Promise<StoredFile | null> {
    const rows = await runPrepared(this.repo.manager.connection, this.markReadyStatement, [id, ownerId, content.sha256, content.blobKey, now]);
    return rows.length === 1 ? this.hydrate(rows[0]) : null;
  }

  private hydrate(row: Record<string, unknown>): StoredFile {
    return entityFromRow(this.repo, row);
  }

  /** Newest first, keyset-paginated over (created_at, id): no offsets, nothing lost or repeated. */
  async pageInScope(scope: OwnerScope, query: FilePageQuery): Promise<FilePage> {
    const qb = inScope(this.repo.createQueryBuilder('f').addSelect(CURSOR_TIME, 'cursor_time'), scope);
    if (!query.includePending) qb.andWhere(`f.status = 'ready'`);
    // Each filter has its index (see the FileAttribution migration): the key's
    // keyset index, and pg_trgm's GIN index for the ILIKE.
    if (query.uploadedByKeyId !== undefined) qb.andWhere('f.uploaded_by_key_id = :keyId', { keyId: query.uploadedByKeyId });
    if (query.nameContains) {
      qb.andWhere(`f.filename ILIKE :pattern ESCAPE '\\'`, { pattern: `%${escapeLike(query.nameContains)}%` });
    }
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

  /** Ready files' count and bytes; of one key's files only when `uploadedByKeyId` is given (an index-only scan). */
  async usageInScope(scope: OwnerScope, uploadedByKeyId?: string): Promise<{ fileCount: number; totalBytes: number }> {
    const qb = inScope(
      this.repo.createQueryBuilder('f').select('COUNT(*)', 'count').addSelect('COALESCE(SUM(f.size), 0)', 'bytes'),
      scope,
    ).andWhere(`f.status = 'ready'`);
    if (uploadedByKeyId !== undefined) qb.andWhere('f.uploaded_by_key_id = :keyId', { keyId: uploadedByKeyId });
    const row = await qb.getRawOne<{ count: string; bytes: string }>();
    return { fileCount: Number(row?.count ?? 0), totalBytes: Number(row?.bytes ?? 0) };
  }

  /**
   * Inserts a file that is ready at once (its bytes are already durable under
   * `blobKey`): the one-shot upload of a stream whose length was not known.
   */
  async insertReady(file: NewReadyFile): Promise<StoredFile> {
    const { uploadedBy, ...rest } = file;
    const entity = this.repo.create({ ...rest, ...uploaderColumns(uploadedBy), status: 'ready', expectedSha256: null, expiresAt: null });
    // insert, not save: the id is ours, and save would first SELECT it. `created_at` comes back by RETURNING.
    await this.repo.insert(entity);
    return entity;
  }

  /** Runs `work` in one transaction (a deletion and its audit entry). */
  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.repo.manager.transaction(work);
  }

  /** Deletes a file row in scope inside `tx` and answers what it was; null when there is none. */
  async deleteInScopeWithin(scope: OwnerScope, id: string, tx: EntityManager): Promise<StoredFile | null> {
    const where = scope.kind === 'all' ? { id } : { ownerId: scope.ownerId, id };
    // Locked, so a racing deletion waits and then finds nothing (one audit entry, one 204).
    const file = await tx.findOne(StoredFile, { where, lock: { mode: 'pessimistic_write' } });
    if (!file) return null;
    await tx.delete(StoredFile, { id });
    return file;
  }

  /** Deletes a file row in scope (pending or ready); false when there is none. */
  async deleteInScope(scope: OwnerScope, id: string): Promise<boolean> {
    const result = await this.repo.delete(scope.kind === 'all' ? { id } : { ownerId: scope.ownerId, id });
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
    // A tus upload's blob (a finished partial waiting for its final, or a last byte
    // whose file is not flipped to ready yet) is named only by its tus row; that
    // table holds only live uploads, so scanning it is cheap.
    const rows = (await this.repo.query(
      `SELECT blob_key FROM stored_files WHERE blob_key = ANY($1)
       UNION SELECT store_state->>'key' FROM tus_uploads WHERE store_state->>'key' = ANY($1)`,
      [keys],
    )) as Array<{ blob_key: string }>;
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

/** A LIKE pattern matching `text` literally: its `\\`, `%` and `_` are escaped. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Restricts a query on `f` to the scope's owner (an all-owners scope adds no condition). */
function inScope<T extends object>(qb: SelectQueryBuilder<T>, scope: OwnerScope): SelectQueryBuilder<T> {
  return scope.kind === 'all' ? qb.where('TRUE') : qb.where('f.owner_id = :ownerId', { ownerId: scope.ownerId });
}
