import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Key life cycle (issue 6): expiry, scopes, roll with grace, usage per day, and the
 * append-only audit trail. Existing keys are carried forward unchanged: every scope
 * (the column default), no expiry (NULL), nothing rolled. Generated with the TypeORM
 * CLI, then reviewed; the append-only trigger is hand-written (TypeORM does not model
 * triggers).
 */
export class KeyLifecycle1795857189626 implements MigrationInterface {
    name = 'KeyLifecycle1795857189626'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE TABLE "api_key_usage_days" ("key_id" uuid NOT NULL, "day" date NOT NULL, "requests" integer NOT NULL, CONSTRAINT "PK_2a0b729c7d11a9d4614b087709a" PRIMARY KEY ("key_id", "day"))`);
        await queryRunner.query(`CREATE TABLE "audit_events" ("id" bigint GENERATED ALWAYS AS IDENTITY NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "action" character varying(64) NOT NULL, "actor_id" uuid, "actor_email" character varying(254), "client_ip" character varying(64), "user_agent" character varying(512), "subject_type" character varying(32) NOT NULL, "subject_id" uuid NOT NULL, "subject_owner_id" uuid, "subject_label" character varying(200) NOT NULL, "details" jsonb NOT NULL DEFAULT '{}', CONSTRAINT "PK_910f64d901a5c3e9878f0d4a407" PRIMARY KEY ("id"))`);
        await queryRunner.query(`CREATE INDEX "idx_audit_events_subject" ON "audit_events"  ("subject_type", "subject_id", "id") `);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "expires_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "scopes" text array NOT NULL DEFAULT '{files:read,files:write,files:delete}'`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "replaced_by_id" uuid`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "rolled_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "expiry_recorded_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_client_ip" character varying(64)`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_user_agent" character varying(512)`);
        await queryRunner.query(`CREATE INDEX "idx_api_keys_replaced_by" ON "api_keys"  ("replaced_by_id") WHERE replaced_by_id IS NOT NULL`);
        await queryRunner.query(`CREATE INDEX "idx_api_keys_unrecorded_expiry" ON "api_keys"  ("expires_at") WHERE is_active AND expires_at IS NOT NULL AND expiry_recorded_at IS NULL`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "chk_api_keys_scopes" CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['files:read', 'files:write', 'files:delete']::text[])`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD CONSTRAINT "FK_32fb82c2577605eda4694eb8335" FOREIGN KEY ("replaced_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE NO ACTION`);
        await queryRunner.query(`ALTER TABLE "api_key_usage_days" ADD CONSTRAINT "FK_3f6545f324e10543479cd698d4c" FOREIGN KEY ("key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
        // Append-only, enforced where no code path can get around it: rows can be
        // inserted and read, never changed or removed (TRUNCATE included).
        await queryRunner.query(`CREATE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $$`);
        await queryRunner.query(`CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_append_only"()`);
        await queryRunner.query(`CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_append_only"()`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TRIGGER "audit_events_no_truncate" ON "audit_events"`);
        await queryRunner.query(`DROP TRIGGER "audit_events_no_update_delete" ON "audit_events"`);
        await queryRunner.query(`DROP FUNCTION "audit_events_append_only"()`);
        await queryRunner.query(`ALTER TABLE "api_key_usage_days" DROP CONSTRAINT "FK_3f6545f324e10543479cd698d4c"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_32fb82c2577605eda4694eb8335"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "chk_api_keys_scopes"`);
        await queryRunner.query(`DROP INDEX "public"."idx_api_keys_unrecorded_expiry"`);
        await queryRunner.query(`DROP INDEX "public"."idx_api_keys_replaced_by"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_user_agent"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_client_ip"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "expiry_recorded_at"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "rolled_at"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "replaced_by_id"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "scopes"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "expires_at"`);
        await queryRunner.query(`DROP INDEX "public"."idx_audit_events_subject"`);
        // Dropping the table is the one way its rows go: only a deliberate schema rollback does it.
        await queryRunner.query(`DROP TABLE "audit_events"`);
        await queryRunner.query(`DROP TABLE "api_key_usage_days"`);
    }

}
