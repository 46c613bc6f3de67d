// The table behind the login and registration limits (rate-limiter-flexible's
// PostgreSQL store), so that every app instance sharing the database shares
// the counts. The columns are exactly the ones the library reads and writes
// (it is told not to create the table itself): key, points, expire (epoch ms).
// One transaction. Down keeps the counts: a table holding any is renamed
// aside (rate_limits_archived) and back by the next up; an empty one, or any
// with --discard-data, is dropped.
import type { QueryInterface } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { bringTableBack, keepTableAside } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = { transactional: true, table: 'rate_limits', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  if (await bringTableBack(queryInterface, 'rate_limits')) return;
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.sequelize.query(
      `CREATE TABLE IF NOT EXISTS rate_limits (
         key varchar(255) PRIMARY KEY,
         points integer NOT NULL DEFAULT 0,
         expire bigint
       )`,
      { transaction },
    );
    await queryInterface.sequelize.query(
      `COMMENT ON TABLE rate_limits IS 'Login and registration attempt counts (rate-limiter-flexible); expire is epoch milliseconds'`,
      { transaction },
    );
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await keepTableAside(queryInterface, 'rate_limits', () =>
    queryInterface.sequelize.query('DROP TABLE IF EXISTS rate_limits'),
  );
}
