import type pg from 'pg';
import { ident } from '../db/sql-identifier';
import { HISTORY_TABLE } from './captured-table';
import { ENSURE_PARTITIONS_FUNCTION, LIST_PARTITIONS_SQL } from './partition-sql';

/** A monthly partition of the history: its name and its range [starts, ends). */
export interface HistoryPartition {
  name: string;
  starts: Date;
  ends: Date;
}

/** Whether a relation named `name` exists in the current schema. */
export async function relationExists(client: pg.ClientBase, name: string): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    'SELECT to_regclass($1) IS NOT NULL AS found',
    [name],
  );
  return rows[0]?.found === true;
}

/** Whether the history table exists (it does not before its migration, nor after a rollback). */
export function historyTableExists(client: pg.ClientBase): Promise<boolean> {
  return relationExists(client, HISTORY_TABLE);
}

/** Whether the partition-making function exists. */
export async function ensurePartitionsFunctionExists(client: pg.ClientBase): Promise<boolean> {
  const { rows } = await client.query<{ found: boolean }>(
    'SELECT to_regprocedure($1) IS NOT NULL AS found',
    [`${ENSURE_PARTITIONS_FUNCTION}(timestamptz, timestamptz)`],
  );
  return rows[0]?.found === true;
}

/** The monthly partitions, oldest first (the default partition aside). */
export async function listPartitions(client: pg.ClientBase): Promise<HistoryPartition[]> {
  const { rows } = await client.query<HistoryPartition>(LIST_PARTITIONS_SQL);
  return rows.map((row) => ({ name: row.name, starts: row.starts, ends: row.ends }));
}

/** Entries of `table` (a partition or the default partition) older than `before`, counted. */
export async function countOlderThan(
  client: pg.ClientBase,
  table: string,
  before: Date,
): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${ident(table)} WHERE at < $1`,
    [before],
  );
  return Number(rows[0]?.n ?? 0);
}

/** Entries in a table, counted. */
export async function countEntries(client: pg.ClientBase, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM ${ident(table)}`,
  );
  return Number(rows[0]?.n ?? 0);
}
