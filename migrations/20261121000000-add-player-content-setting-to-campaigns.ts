// Whether players (not only the OWNER and GMs) may create items and locations.
// A constant default is a catalog-only change on PostgreSQL 11+: no table
// rewrite. The brief ACCESS EXCLUSIVE lock is taken with a short lock_timeout
// and retries, so a long transaction on campaigns cannot queue every reader
// behind it. IF (NOT) EXISTS makes a re-run after a crash harmless.
// Down: drops the column; refused while a campaign has it set (the up would
// bring back only the default), unless --discard-data. A column already gone
// (a down that dropped it and crashed before its record) has nothing to lose.
import type { QueryInterface } from 'sequelize';
import { existingColumns } from '../app/db/catalog';
import { refuseToLoseRows, rowCounterOfClient } from '../app/db/migration-lib/kept-rows';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import { runOnlineDdl } from '../app/db/migration-lib/online-ddl';
import type { MigrationMeta } from '../app/db/migration-meta';

export const meta: MigrationMeta = { transactional: true, table: 'campaigns', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, (client) =>
    runOnlineDdl(
      client,
      [
        'ALTER TABLE campaigns ADD COLUMN IF NOT EXISTS players_can_create_content boolean NOT NULL DEFAULT false',
      ],
      ['campaigns'],
    ),
  );
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    if ((await existingColumns(client)).has('campaigns.players_can_create_content')) {
      await refuseToLoseRows(rowCounterOfClient(client), 'campaigns', {
        where: 'players_can_create_content',
        what: 'column campaigns.players_can_create_content (campaigns that let players create content)',
      });
    }
    await runOnlineDdl(
      client,
      ['ALTER TABLE campaigns DROP COLUMN IF EXISTS players_can_create_content'],
      ['campaigns'],
    );
  });
}
