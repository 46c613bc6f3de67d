import type pg from 'pg';
import { DdlLockTimeoutError, runOnlineDdl } from '../db/migration-lib/online-ddl';
import { OperatorError } from '../operator-error';
import { ident } from '../db/sql-identifier';
import { HISTORY_DEFAULT_PARTITION, HISTORY_TABLE } from './captured-table';
import { MONTHS_AHEAD } from './history-steps';
import {
  countEntries,
  countOlderThan,
  listPartitions,
  type HistoryPartition,
} from './partition-catalog';
import { ensurePartitionsAheadSql } from './partition-sql';
import {
  notSealableBecause,
  sealDefaultPartitionPrune,
  sealPartition,
  sealsTableExists,
} from './seal';
import { SEALS_TABLE } from './seal-sql';

/*
 * Pruning the history drops whole monthly partitions, never a DELETE on the
 * history itself: a DROP TABLE of a partition frees its space at once, leaves
 * no dead rows to vacuum, and holds its lock for milliseconds. It needs an
 * ACCESS EXCLUSIVE lock on the history for that moment, so it asks with a
 * short lock_timeout and retries (runOnlineDdl): writers never queue behind
 * it for long.
 *
 * A partition straddling the date is kept whole: its older entries go with it
 * once the date passes its end. The default partition holds only entries no
 * monthly partition covered (none in normal operation); its older entries are
 * deleted in small batches, each its own short transaction.
 *
 * A partition is sealed before it is dropped (app/history/seal.ts; one
 * sealed before must still match its seal, or the prune stops), and its
 * seal marked pruned in the DROP's transaction; the default partition's
 * older entries get a pruned seal before they are deleted. So what remains
 * still verifies: a row's first remaining entry may chain to a pruned one.
 */

/** A partition's lock was not granted within the retries; the message names the blockers. */
export class PruneLockError extends OperatorError {
  override readonly name = 'PruneLockError';
}

/** Rows per DELETE from the default partition. */
const DEFAULT_BATCH = 1000;

/** A partition wholly older than the date, with the entries it holds. */
export interface DroppablePartition extends HistoryPartition {
  entries: number;
}

/** What a prune with `before` does, read from the catalog and the partitions. */
export interface PrunePlan {
  before: Date;
  drop: DroppablePartition[];
  /** The partition whose range contains `before`, kept, and its entries older than `before`. */
  straddling?: HistoryPartition & { older: number };
  /** Entries older than `before` in the default partition. */
  defaultOlder: number;
}

export async function planPrune(client: pg.ClientBase, before: Date): Promise<PrunePlan> {
  const partitions = await listPartitions(client);
  const drop: DroppablePartition[] = [];
  let straddling: PrunePlan['straddling'];
  for (const partition of partitions) {
    if (partition.ends.getTime() <= before.getTime()) {
      drop.push({ ...partition, entries: await countEntries(client, partition.name) });
    } else if (partition.starts.getTime() < before.getTime()) {
      straddling = { ...partition, older: await countOlderThan(client, partition.name, before) };
    }
  }
  const defaultOlder = await countOlderThan(client, HISTORY_DEFAULT_PARTITION, before);
  return { before, drop, ...(straddling ? { straddling } : {}), defaultOlder };
}

export interface PruneOutcome {
  /** Partitions made ahead before anything was dropped. */
  madeAhead: number;
  dropped: DroppablePartition[];
  deletedFromDefault: number;
}

/**
 * Carries out a plan: first makes sure the partitions ahead exist (so the
 * history is never left without the months to come), then drops each
 * partition in its own short transaction, then empties the default
 * partition of entries older than the date, batch by batch.
 */
export async function runPrune(
  client: pg.ClientBase,
  plan: PrunePlan,
  log: (line: string) => void,
): Promise<PruneOutcome> {
  const { rows } = await client.query<{ made: number }>(ensurePartitionsAheadSql(MONTHS_AHEAD));
  const madeAhead = rows[0]?.made ?? 0;
  const dropped: DroppablePartition[] = [];
  const sealing = await sealsTableExists(client);
  for (const partition of plan.drop) {
    if (sealing) {
      const reason = await notSealableBecause(client, partition);
      if (reason) {
        throw new OperatorError(
          `${partition.name} cannot be sealed yet (${reason}), so it is not dropped; run the ` +
            `prune again once that transaction is over (${dropped.length} partition(s) dropped so far).`,
        );
      }
      const outcome = await sealPartition(client, partition);
      log(
        `sealed ${partition.name}${outcome === 'unchanged' ? ' (sealed before, unchanged)' : ''}`,
      );
    }
    // IF EXISTS: a prune running at the same time may have dropped it first.
    await runOnlineDdl(
      client,
      [
        `DROP TABLE IF EXISTS ${ident(partition.name)}`,
        ...(sealing
          ? [
              `UPDATE ${SEALS_TABLE} SET pruned_at = clock_timestamp()
                WHERE partition = '${partition.name}' AND pruned_at IS NULL`,
            ]
          : []),
      ],
      [HISTORY_TABLE, partition.name],
    ).catch((error: unknown) => {
      if (!(error instanceof DdlLockTimeoutError)) throw error;
      throw new PruneLockError(
        `${error.message.replace(/ and run the migration again.*$/, '')} and run the prune ` +
          `again; it goes on where it stopped (${dropped.length} partition(s) dropped so far).`,
      );
    });
    log(`dropped ${partition.name} (${partition.entries} entries)`);
    dropped.push(partition);
  }
  let deletedFromDefault = 0;
  if (plan.defaultOlder > 0) {
    if (sealing) await sealDefaultPartitionPrune(client, plan.before);
    const table = ident(HISTORY_DEFAULT_PARTITION);
    for (;;) {
      const { rowCount } = await client.query(
        `DELETE FROM ${table} WHERE ctid = ANY (ARRAY(
           SELECT ctid FROM ${table} WHERE at < $1 LIMIT ${DEFAULT_BATCH}))`,
        [plan.before],
      );
      deletedFromDefault += rowCount ?? 0;
      if (!rowCount) break;
    }
  }
  return { madeAhead, dropped, deletedFromDefault };
}
