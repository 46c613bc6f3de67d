import { withMigrationClient } from '../db/migration-lib/migration-client';
import {
  createPartitionedIndexOnline,
  dropPartitionedIndex,
  type PartitionedIndexSpec,
} from '../db/migration-lib/partitioned-index';
import type { BuiltMigration } from '../db/migration-lib/built-migration';

/**
 * One index of the history, built online: each partition's concurrently,
 * attached to the parent's (app/db/migration-lib/partitioned-index.ts).
 * Not one transaction; re-runnable from any point. Down drops it.
 */
export function activityIndexMigration(spec: PartitionedIndexSpec): BuiltMigration {
  return {
    meta: { transactional: false, table: spec.table, kind: 'index' },
    up: (qi) => withMigrationClient(qi, (client) => createPartitionedIndexOnline(client, spec)),
    down: (qi) => withMigrationClient(qi, (client) => dropPartitionedIndex(client, spec)),
  };
}
