import { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Keys bound to networks and revocable by whoever finds them leaked (issue 18).
 * Existing keys may be used from anywhere (empty list) and carry no leak flag;
 * existing usage days refused nothing. Hand-written.
 */
export class KeyNetworksAndLeaks1795860000000 implements MigrationInterface {
    name = 'KeyNetworksAndLeaks1795860000000'

    public async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "allowed_networks" text array NOT NULL DEFAULT '{}'`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_refused_ip" character varying(64)`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "last_refused_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "api_keys" ADD "leak_reported_at" TIMESTAMP WITH TIME ZONE`);
        await queryRunner.query(`ALTER TABLE "api_key_usage_days" ADD "refused" integer NOT NULL DEFAULT 0`);
    }

    public async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`ALTER TABLE "api_key_usage_days" DROP COLUMN "refused"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "leak_reported_at"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_refused_at"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "last_refused_ip"`);
        await queryRunner.query(`ALTER TABLE "api_keys" DROP COLUMN "allowed_networks"`);
    }
}
