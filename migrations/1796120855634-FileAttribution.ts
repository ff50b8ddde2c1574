import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Files in the dashboard (issue 15). Each file records what created it: the API key
 * (its id and its name, copied as text with no foreign key, so a key deleted later
 * keeps its name on its files) or the dashboard. Files stored before this migration
 * carry NULL in all three columns: "unknown".
 *
 * The indexes serve the dashboard's listing at a million files, each keyset-ordered
 * like the API's owner index: all ready files (an admin's view), one key's ready
 * files (the key filter), and a trigram index for the case-insensitive filename substring
 * (`ILIKE '%…%'`). pg_trgm ships with PostgreSQL (contrib, the embedded one included)
 * and is a trusted extension: the database owner may create it. The usage totals
 * (count and bytes of an owner's, a key's or all ready files, on every files page and
 * GET /usage) become index-only scans: the key index INCLUDEs `size`, and one more
 * small index holds each owner's ready sizes (an admin's totals scan it whole).
 */
export class FileAttribution1796120855634 implements MigrationInterface {
    name = 'FileAttribution1796120855634'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "stored_files" ADD "upload_source" character varying(16)`);
        await queryRunner.query(`ALTER TABLE "stored_files" ADD "uploaded_by_key_id" uuid`);
        await queryRunner.query(`ALTER TABLE "stored_files" ADD "uploaded_by_key_name" character varying(100)`);
        await queryRunner.query(`ALTER TABLE "stored_files" ADD CONSTRAINT "chk_stored_files_upload_source" CHECK (
            (upload_source IS NULL AND uploaded_by_key_id IS NULL AND uploaded_by_key_name IS NULL)
            OR (upload_source = 'dashboard' AND uploaded_by_key_id IS NULL AND uploaded_by_key_name IS NULL)
            OR (upload_source = 'api_key' AND uploaded_by_key_id IS NOT NULL AND uploaded_by_key_name IS NOT NULL))`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_ready_created" ON "stored_files" ("created_at", "id") WHERE status = 'ready'`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_owner_ready" ON "stored_files" ("owner_id") INCLUDE ("size") WHERE status = 'ready'`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_key_created" ON "stored_files" ("uploaded_by_key_id", "created_at", "id") INCLUDE ("size") WHERE status = 'ready' AND uploaded_by_key_id IS NOT NULL`);
        await queryRunner.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_filename_trgm" ON "stored_files" USING gin ("filename" gin_trgm_ops) WHERE status = 'ready'`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_filename_trgm"`);
        // pg_trgm stays: other objects may use it, and it holds no data.
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_key_created"`);
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_owner_ready"`);
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_ready_created"`);
        await queryRunner.query(`ALTER TABLE "stored_files" DROP CONSTRAINT "chk_stored_files_upload_source"`);
        await queryRunner.query(`ALTER TABLE "stored_files" DROP COLUMN "uploaded_by_key_name"`);
        await queryRunner.query(`ALTER TABLE "stored_files" DROP COLUMN "uploaded_by_key_id"`);
        await queryRunner.query(`ALTER TABLE "stored_files" DROP COLUMN "upload_source"`);
    }
}
