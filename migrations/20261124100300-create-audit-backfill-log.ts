// The backfill of items and locations also fills created_by, a column that
// existed before, where it is NULL. This table lists those writes (table,
// column, row, value) so that the backfill's down step reverts exactly them
// and nothing else. Created empty, in one transaction.
// Down: drops it (the backfill downs, which run first, have emptied it).
import type { QueryInterface } from 'sequelize';
import { BACKFILL_LOG_TABLE as BACKFILL_LOG } from '../app/db/migration-lib/backfill-log';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'audit_backfill_log',
  kind: 'schema',
  audit: 'backfill-log',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.sequelize.query(
      `CREATE TABLE ${BACKFILL_LOG} (
         table_name text NOT NULL,
         column_name text NOT NULL,
         row_id integer NOT NULL,
         value integer NOT NULL,
         PRIMARY KEY (table_name, column_name, row_id)
       )`,
      { transaction },
    );
    await queryInterface.sequelize.query(
      `COMMENT ON TABLE ${BACKFILL_LOG} IS 'Pre-existing audit columns the audit backfill filled, so its rollback reverts exactly those values.'`,
      { transaction },
    );
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.query(`DROP TABLE IF EXISTS ${BACKFILL_LOG}`);
}
