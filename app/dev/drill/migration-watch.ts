import pg from 'pg';
import { auditMigrationOf } from '../../audit/audit-spec';
import { DRILL_TABLES, type DrillTable } from './writer-protocol';

const POLL_MS = 20;

/** When, seen from outside (epoch ms), each table got its modifier column and its backfill was recorded. */
export interface MigrationMoments {
  /** First poll that saw `modified_by` on the table: writes started later see the column. */
  columnsAt: Partial<Record<DrillTable, number>>;
  /** First poll that saw the table's backfill in the migration history. */
  backfilledAt: Partial<Record<DrillTable, number>>;
}

/**
 * Polls the catalog and the migration history on its own direct connection
 * while the migrator runs (reads only: no lock a writer or the migrator
 * would wait for). stop() returns what it saw.
 */
export async function watchMigration(
  directUrl: string,
): Promise<{ stop(): Promise<MigrationMoments> }> {
  const client = new pg.Client({ connectionString: directUrl, application_name: 'drill-watch' });
  await client.connect();
  const moments: MigrationMoments = { columnsAt: {}, backfilledAt: {} };
  const backfills = DRILL_TABLES.map((table) => auditMigrationOf(table, 'backfill'));
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ columns: string[] | null; applied: string[] | null }>(
        `SELECT (SELECT array_agg(table_name::text) FROM information_schema.columns
                  WHERE table_schema = 'public' AND column_name = 'modified_by'
                    AND table_name = ANY($1)) AS columns,
                (SELECT array_agg(name) FROM "SequelizeMeta" WHERE name = ANY($2)) AS applied`,
        [DRILL_TABLES, backfills],
      );
      const now = Date.now();
      for (const table of DRILL_TABLES) {
        if (rows[0]!.columns?.includes(table)) moments.columnsAt[table] ??= now;
        if (rows[0]!.applied?.includes(auditMigrationOf(table, 'backfill'))) {
          moments.backfilledAt[table] ??= now;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.finally(() => client.end());
      return moments;
    },
  };
}
