// Indexes on characters: created_at and updated_at (recent-activity queries) and
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
  { name: 'characters_created_at_idx', table: 'characters', columns: ['created_at'] },
  { name: 'characters_updated_at_idx', table: 'characters', columns: ['updated_at'] },
  { name: 'characters_created_by_idx', table: 'characters', columns: ['created_by'] },
  { name: 'characters_modified_by_idx', table: 'characters', columns: ['modified_by'] },
];

export const meta: MigrationMeta = {
  transactional: false,
  table: 'characters',
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
