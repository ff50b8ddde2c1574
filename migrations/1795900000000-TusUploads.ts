import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Resumable uploads over tus (issue 14): one row per upload, holding the
 * durable offset, the driver's state and the resumable SHA-256 state, plus the
 * lease that lets one request at a time append. Hand-written.
 */
export class TusUploads1795900000000 implements MigrationInterface {
  name = 'TusUploads1795900000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "tus_uploads" (
      "id" uuid NOT NULL,
      "owner_id" uuid NOT NULL,
      "file_id" uuid,
      "concat" character varying(8) NOT NULL,
      "upload_length" bigint NOT NULL,
      "upload_offset" bigint NOT NULL DEFAULT 0,
      "metadata" text,
      "concat_header" text,
      "store_state" jsonb NOT NULL,
      "hash_state" bytea,
      "completed" boolean NOT NULL DEFAULT false,
      "lock_token" uuid,
      "locked_until" TIMESTAMP WITH TIME ZONE,
      "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
      "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      CONSTRAINT "PK_tus_uploads" PRIMARY KEY ("id"),
      CONSTRAINT "CHK_tus_uploads_concat" CHECK ("concat" IN ('none', 'partial', 'final')),
      CONSTRAINT "CHK_tus_uploads_offset" CHECK ("upload_offset" >= 0 AND "upload_offset" <= "upload_length"),
      CONSTRAINT "FK_tus_uploads_owner" FOREIGN KEY ("owner_id") REFERENCES "managers"("id") ON DELETE RESTRICT,
      CONSTRAINT "FK_tus_uploads_file" FOREIGN KEY ("file_id") REFERENCES "stored_files"("id") ON DELETE CASCADE
    )`);
    await queryRunner.query(`CREATE INDEX "idx_tus_uploads_partial_expiry" ON "tus_uploads" ("expires_at") WHERE file_id IS NULL`);
    await queryRunner.query(`CREATE INDEX "idx_tus_uploads_file" ON "tus_uploads" ("file_id")`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "tus_uploads"`);
  }
}
