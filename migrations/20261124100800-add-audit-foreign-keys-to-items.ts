// Foreign keys from the audit columns of items to users, ON DELETE SET NULL
// (deleting a user must never delete campaign content). Added after the
// backfill (which runs ~3x faster without them), NOT VALID then VALIDATE so
// writers are never blocked for the scan. Not one transaction: each key is
// two short statements; a re-run skips what is already done.
// Down: drops the keys.
import type { QueryInterface } from 'sequelize';
import {
  addUserForeignKeyOnline,
  dropUserForeignKey,
  type UserForeignKey,
} from '../app/db/migration-lib/foreign-key';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import type { MigrationMeta } from '../app/db/migration-meta';

const KEYS: UserForeignKey[] = [
  { name: 'items_modified_by_fkey', table: 'items', column: 'modified_by' },
];

export const meta: MigrationMeta = {
  transactional: false,
  table: 'items',
  kind: 'key',
  audit: 'keys',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    for (const key of KEYS) await addUserForeignKeyOnline(client, key);
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    for (const key of [...KEYS].reverse()) await dropUserForeignKey(client, key);
  });
}
