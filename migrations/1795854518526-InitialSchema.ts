import { MigrationInterface, QueryRunner } from "typeorm";

export class InitialSchema1795854518526 implements MigrationInterface {
    name = 'InitialSchema1795854518526'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "managers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "email" character varying(254) NOT NULL, "password_hash" character varying(255) NOT NULL, "role" character varying(16) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_8d5fd9a2217bf7b16bef11fdf83" UNIQUE ("email"), CONSTRAINT "PK_e70b8cc457276d9b4d82342a8ff" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE TABLE "stored_files" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "filename" character varying(255) NOT NULL, "mime_type" character varying(255) NOT NULL, "size" bigint NOT NULL, "status" character varying(16) NOT NULL, "expected_sha256" character(64), "sha256" character(64), "blob_key" character varying(255), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "expires_at" TIMESTAMP WITH TIME ZONE, "uploaded_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5d5be862bf53851c1794b4adf4e" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_pending_expiry" ON "stored_files"  ("expires_at") WHERE status = 'pending'`);
        await queryRunner.query(`CREATE INDEX "idx_stored_files_owner_created" ON "stored_files"  ("owner_id", "created_at", "id") `);
        await queryRunner.query(`CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "owner_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "key_hash" character(64) NOT NULL, "last_four" character(4) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_used_at" TIMESTAMP WITH TIME ZONE, "is_active" boolean NOT NULL DEFAULT true, "deactivated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE UNIQUE INDEX "uq_api_keys_key_hash" ON "api_keys"  ("key_hash") `);
        await queryRunner.query(`CREATE INDEX "idx_api_keys_owner_created" ON "api_keys"  ("owner_id", "created_at") `);
        await queryRunner.query(`CREATE TABLE "dashboard_sessions" ("id_hash" character(64) NOT NULL, "data" jsonb NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e3ee6d254a06695044a9ac37477" PRIMARY KEY ("id_hash"))`);
        await queryRunner.query(`CREATE INDEX "idx_dashboard_sessions_expires_at" ON "dashboard_sessions"  ("expires_at") `);
        await queryRunner.query(`ALTER TABLE "stored_files" ADD CONSTRAINT "FK_9f579996648ee752bcf715a88f2" FOREIGN KEY ("owner_id") REFERENCES "managers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_d93cc0e04cac89126b2155ba9bc" FOREIGN KEY ("owner_id") REFERENCES "managers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_d93cc0e04cac89126b2155ba9bc"`);
        await queryRunner.query(`ALTER TABLE "stored_files" DROP CONSTRAINT "FK_9f579996648ee752bcf715a88f2"`);
        await queryRunner.query(`DROP INDEX "public"."idx_dashboard_sessions_expires_at"`);
        await queryRunner.query(`DROP TABLE "dashboard_sessions"`);
        await queryRunner.query(`DROP INDEX "public"."idx_api_keys_owner_created"`);
        await queryRunner.query(`DROP INDEX "public"."uq_api_keys_key_hash"`);
        await queryRunner.query(`DROP TABLE "api_keys"`);
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_owner_created"`);
        await queryRunner.query(`DROP INDEX "public"."idx_stored_files_pending_expiry"`);
        await queryRunner.query(`DROP TABLE "stored_files"`);
        await queryRunner.query(`DROP TABLE "managers"`);
    }

}
