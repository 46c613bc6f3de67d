import { QueryTypes, type Sequelize } from 'sequelize';
import { addedColumns } from '../registry';
import { AUDITED_TABLES, BACKFILL_LOG_TABLE } from './audit-spec';

/**
 * Columns and tables that exist only while audit migrations are applied:
 * the audit columns they add, and the backfill log. Empty at the state
 * before the audit fields.
 */
export async function auditLeftovers(sequelize: Sequelize): Promise<string[]> {
  const added = AUDITED_TABLES.flatMap((spec) =>
    addedColumns(spec).map(({ name }) => `${spec.table}.${name}`),
  );
  const rows = await sequelize.query<{ name: string }>(
    `SELECT table_name || '.' || column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name || '.' || column_name IN (:added)
     UNION ALL
     SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename = :log
     ORDER BY 1`,
    { replacements: { added, log: BACKFILL_LOG_TABLE }, type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.name);
}
