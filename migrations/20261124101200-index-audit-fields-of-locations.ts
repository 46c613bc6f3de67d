// Indexes on locations: created_at and updated_at (recent-activity queries) and
// the audit foreign-key columns (PostgreSQL does not index the referencing
// side; without them deleting a user scans the table). Built CONCURRENTLY,
// so NOT in a transaction: writers continue. A re-run drops an INVALID
// leftover of a failed build and keeps the valid ones.
// Down: drops them, concurrently.
import type { QueryInterface } from 'sequelize';
import {
  createIndexConcurrently,
  dropIndexConcurrently,
  type IndexSpec,
} from '../app/db/migration-lib/concurrent-index';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import type { MigrationMeta } from '../app/db/migration-meta';

const INDEXES: IndexSpec[] = [
  { name: 'locations_created_at_idx', table: 'locations', columns: ['created_at'] },
  { name: 'locations_updated_at_idx', table: 'locations', columns: ['updated_at'] },
  { name: 'locations_created_by_idx', table: 'locations', columns: ['created_by'] },
  { name: 'locations_modified_by_idx', table: 'locations', columns: ['modified_by'] },
];

export const meta: MigrationMeta = {
  transactional: false,
  table: 'locations',
  kind: 'index',
  audit: 'indexes',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    for (const index of INDEXES) await createIndexConcurrently(client, index);
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    for (const index of [...INDEXES].reverse()) await dropIndexConcurrently(client, index.name);
  });
}
