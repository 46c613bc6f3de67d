// The history's seals: a digest per closed monthly partition, recorded by
// npm run db:history-seal and checked by db:history-verify. A new, empty
// table: no lock on anything else. One transaction.
// Down keeps the seals: a table holding any is renamed aside
// (history_seals_archived) and back by the next up; an empty one is dropped.
import type { QueryInterface } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { bringTableBack, keepTableAside } from '../app/db/migration-lib/kept-rows';
import { createSealsTableSql, SEALS_TABLE } from '../app/history/seal-sql';

export const meta: MigrationMeta = {
  transactional: true,
  table: SEALS_TABLE,
  kind: 'schema',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  if (await bringTableBack(queryInterface, SEALS_TABLE)) return;
  await queryInterface.sequelize.transaction(async (transaction) => {
    for (const sql of createSealsTableSql()) {
      await queryInterface.sequelize.query(sql, { transaction });
    }
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await keepTableAside(queryInterface, SEALS_TABLE, () =>
    queryInterface.sequelize.query(`DROP TABLE ${SEALS_TABLE}`),
  );
}
