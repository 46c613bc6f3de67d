// A campaign's characters in id order, for its snapshot (GET
// /api/campaigns/:id/snapshot): without it every page scans the whole table.
// Built CONCURRENTLY, so NOT in a transaction: writers continue. A re-run
// drops an INVALID leftover of a failed build and keeps a valid one.
// Down: drops it, concurrently.
import type { QueryInterface } from 'sequelize';
import {
  createIndexConcurrently,
  dropIndexConcurrently,
} from '../app/db/migration-lib/concurrent-index';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import type { MigrationMeta } from '../app/db/migration-meta';
import { CHARACTERS_BY_CAMPAIGN_INDEX } from '../app/history/as-of-indexes';

export const meta: MigrationMeta = { transactional: false, table: 'characters', kind: 'index' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, (client) =>
    createIndexConcurrently(client, CHARACTERS_BY_CAMPAIGN_INDEX),
  );
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, (client) =>
    dropIndexConcurrently(client, CHARACTERS_BY_CAMPAIGN_INDEX.name),
  );
}
