import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts a team can run (DESIGN.md §5a): a manager can be disabled (their
 * keys answer 401 while it lasts), and an admin can issue a one-time
 * password-reset link, of which only a SHA-256 is kept.
 */
export class ManagerAccounts1796120000000 implements MigrationInterface {
  name = 'ManagerAccounts1796120000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "managers" ADD "disabled_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "managers" ADD "reset_token_hash" character(64)`);
    await queryRunner.query(`ALTER TABLE "managers" ADD "reset_expires_at" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`CREATE UNIQUE INDEX "idx_managers_reset_token_hash" ON "managers" ("reset_token_hash") WHERE "reset_token_hash" IS NOT NULL`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "idx_managers_reset_token_hash"`);
    await queryRunner.query(`ALTER TABLE "managers" DROP COLUMN "reset_expires_at"`);
    await queryRunner.query(`ALTER TABLE "managers" DROP COLUMN "reset_token_hash"`);
    await queryRunner.query(`ALTER TABLE "managers" DROP COLUMN "disabled_at"`);
  }
}
