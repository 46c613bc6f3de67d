import { withMigrationClient } from '../db/migration-lib/migration-client';
import { runCandidatePass } from '../db/migration-lib/candidate-pass';
import { runOnlineDdl } from '../db/migration-lib/online-ddl';
import type { TableDeclaration } from '../registry';
import {
  CLEARED_MODIFIERS_TABLE,
  clearUnattributedStatements,
  CREATE_CLEARED_MODIFIERS_SQL,
  restoreClearedSql,
} from './cleared-modifiers';
import type { BuiltMigration } from '../db/migration-lib/built-migration';

/** The table where the passes note what they cleared. Down drops it, once empty. */
export function clearedModifiersTableMigration(): BuiltMigration {
  return {
    meta: {
      transactional: true,
      table: CLEARED_MODIFIERS_TABLE,
      kind: 'schema',
      audit: 'cleared-modifiers',
    },
    up: (qi) =>
      withMigrationClient(qi, (client) => runOnlineDdl(client, [CREATE_CLEARED_MODIFIERS_SQL], [])),
    down: (qi) =>
      withMigrationClient(qi, async (client) => {
        // A re-run after a crash between the drop and its record finds no table: done.
        const { rows: found } = await client.query<{ present: boolean }>(
          `SELECT to_regclass('${CLEARED_MODIFIERS_TABLE}') IS NOT NULL AS present`,
        );
        if (!found[0]?.present) return;
        const { rows } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE}`,
        );
        if (Number(rows[0]?.n ?? 0) > 0) {
          throw new Error(
            `${CLEARED_MODIFIERS_TABLE} still notes cleared modifiers; roll back the clear-unattributed-modifiers-of-* migrations first`,
          );
        }
        await runOnlineDdl(client, [`DROP TABLE IF EXISTS ${CLEARED_MODIFIERS_TABLE}`], []);
      }),
  };
}

/**
 * The pass that sets modified_by back to NULL on rows the previous version
 * changed before the backfill reached them (see cleared-modifiers.ts), in
 * resumable batches of candidate rows, each locking only the rows it clears.
 * Down: restores exactly what it cleared.
 */
export function clearUnattributedMigration(spec: TableDeclaration): BuiltMigration {
  return {
    meta: { transactional: false, table: spec.table, kind: 'backfill', audit: 'clearing' },
    up: (qi) =>
      withMigrationClient(qi, async (client) => {
        await runCandidatePass(client, {
          label: `${spec.table}: clear modifiers of unattributed updates`,
          ...clearUnattributedStatements(spec),
        });
      }),
    down: (qi) =>
      withMigrationClient(qi, (client) => runOnlineDdl(client, restoreClearedSql(spec), [])),
  };
}
