import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Failed-key and failed-login counters every instance shares (issue 17, DESIGN.md §10).
 * UNLOGGED: counters are worth nothing after a crash (PostgreSQL empties the table then),
 * and skipping the WAL keeps the one upsert per failure cheap. Hand-written.
 */
export class SharedFailureCounters1796123960666 implements MigrationInterface {
    name = 'SharedFailureCounters1796123960666'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`CREATE UNLOGGED TABLE "failure_counters" ("scope" character varying(32) NOT NULL, "subject" character varying(320) NOT NULL, "failures" integer NOT NULL, "window_ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_failure_counters" PRIMARY KEY ("scope", "subject"))`);
        await queryRunner.query(`CREATE INDEX "idx_failure_counters_window_ends_at" ON "failure_counters" ("window_ends_at")`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`DROP TABLE "failure_counters"`);
    }
}
