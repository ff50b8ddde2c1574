import type { ObjectLiteral, Repository } from 'typeorm';

/**
 * A row of a hand-written statement (`RETURNING *`, `SELECT t.*`) as the
 * entity `findOneBy` would load: column names mapped, transformers applied.
 * Lets a hot path write its SQL out without giving up typed entities.
 */
export function entityFromRow<T extends ObjectLiteral>(repo: Repository<T>, row: Record<string, unknown>): T {
  const { metadata, manager } = repo;
  const entity = repo.create();
  for (const column of metadata.columns) {
    if (column.databaseName in row) {
      column.setEntityValue(entity, manager.connection.driver.prepareHydratedValue(row[column.databaseName], column));
    }
  }
  return entity;
}

/**
 * The entity's columns as a select list (`"id", "owner_id", …`, each
 * prefixed with `alias.` when given), for hand-written statements: named,
 * not `*`, so a column a migration adds cannot change a prepared
 * statement's result while older instances still run it.
 */
export function columnList<T extends ObjectLiteral>(repo: Repository<T>, alias?: string): string {
  return repo.metadata.columns.map((column) => `${alias ? `${alias}.` : ''}"${column.databaseName}"`).join(', ');
}
