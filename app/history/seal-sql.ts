/*
 * The seals: one row per sealed stretch of the history, with the digest of
 * its entries (app/history/seal.ts). A monthly partition is sealed once;
 * a prune marks its row pruned_at when it drops the partition. Entries the
 * prune deletes from the default partition get a row of their own (named
 * after the default partition, ending at the prune's date).
 */

export const SEALS_TABLE = 'history_seals';

/** The seals table, created by its migration. */
export function createSealsTableSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${SEALS_TABLE} (
       partition text NOT NULL,
       starts timestamptz NOT NULL,
       ends timestamptz NOT NULL,
       entries bigint NOT NULL,
       digest bytea NOT NULL,
       sealed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
       pruned_at timestamptz,
       PRIMARY KEY (partition, ends)
     )`,
    `COMMENT ON TABLE ${SEALS_TABLE} IS 'Digests of closed months of history_entries (npm run db:history-seal); the operator keeps a copy outside the database, which db:history-verify --digests compares'`,
  ];
}
