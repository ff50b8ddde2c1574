import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Reconciliation (issue 17) asks which listed blobs a row names, a page of keys at a time:
 * an index on blob_key keeps that from scanning every file. Hand-written.
 */
export class BlobKeyIndex1796124514242 implements MigrationInterface {
    name = 'BlobKeyIndex1796124514242'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE INDEX "idx_stored_files_blob_key" ON "stored_files" ("blob_key") WHERE blob_key IS NOT NULL`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP INDEX "idx_stored_files_blob_key"`);
    }
}
