// history_entries.at defaulted to now(), the start of the writing
// transaction: of two overlapping edits of one row, the one that began first
// but took the row lock second was listed first, so an entry's `from` could
// differ from the `to` before it. clock_timestamp() is the time of the write
// itself, taken while the row lock is held, so one row's entries are ordered
// as its changes were applied. Only the column default changes (catalog only,
// on the history and each partition, under a short lock_timeout with
// retries); existing entries keep their times.
// Down: the default goes back to now(). No row is touched either way.
import type { QueryInterface } from 'sequelize';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import { runOnlineDdl } from '../app/db/migration-lib/online-ddl';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'history_entries',
  kind: 'schema',
};

const setDefault = (queryInterface: QueryInterface, expression: string) =>
  withMigrationClient(queryInterface, (client) =>
    runOnlineDdl(
      client,
      [`ALTER TABLE history_entries ALTER COLUMN at SET DEFAULT ${expression}`],
      ['history_entries'],
    ),
  );

export async function up(queryInterface: QueryInterface): Promise<void> {
  await setDefault(queryInterface, 'clock_timestamp()');
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await setDefault(queryInterface, 'now()');
}
