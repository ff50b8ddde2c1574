import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A tus upload's saved SHA-256 state may now lag behind its offset (issue 16):
 * on the fs driver a PATCH hashes with Node's own SHA-256, kept in memory
 * between requests, and the saved state catches up from the stored bytes only
 * when another process continues the upload. `hash_offset` says where the
 * saved state stands (NULL: nothing saved, i.e. offset 0). Hand-written.
 */
export class TusHashOffset1796200000000 implements MigrationInterface {
    name = 'TusHashOffset1796200000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tus_uploads" ADD "hash_offset" bigint`);
        // Every state saved so far was taken at the offset it was saved with.
        await queryRunner.query(`UPDATE "tus_uploads" SET "hash_offset" = "upload_offset" WHERE "hash_state" IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "tus_uploads" DROP COLUMN "hash_offset"`);
    }
}
