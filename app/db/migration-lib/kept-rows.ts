import type pg from 'pg';
import type { QueryInterface } from 'sequelize';
import { QueryTypes } from 'sequelize';
import { OperatorError } from '../../operator-error';
import { ident } from '../sql-identifier';

/*
 * No down drops rows silently. A down that would drop a table or a column
 * holding rows either keeps them (the table is renamed aside, to
 * `<table>_archived`, and its up renames it back) or, where nothing could
 * bring them back, refuses, naming the table and the row count, unless the
 * operator passed --discard-data (db:rollback): then it drops them.
 */

/** The name a table kept aside by its down carries until its up brings it back. */
export function archivedName(table: string): string {
  return `${table}_archived`;
}

/** A down would drop rows and the operator did not say --discard-data. Nothing was changed by it. */
export class DataLossRefusedError extends OperatorError {
  override readonly name = 'DataLossRefusedError';
  constructor(
    readonly table: string,
    readonly rows: number,
    what: string,
  ) {
    super(
      `${what}: ${rows} row(s) would be lost, and no up brings them back. Nothing was changed by ` +
        'this step. Take a backup (npm run db:backup), then either keep them (roll back to a later ' +
        'migration) or run the rollback again with --discard-data ' +
        '(npm run db:rollback -- ... --discard-data) to drop them',
    );
  }
}

/** How a down learns the row count a decision rests on; db:plan reads it from the planned database. */
export type RowCounter = (table: string, where?: string) => Promise<number>;

let discard = false;
let counterOverride: RowCounter | undefined;

/** Runs `fn` with the downs allowed to drop rows (db:rollback --discard-data, the release replay). */
export async function withDataDiscarded<T>(fn: () => Promise<T>): Promise<T> {
  const saved = discard;
  discard = true;
  try {
    return await fn();
  } finally {
    discard = saved;
  }
}

/** True while the operator allowed the downs to drop rows. */
export function dataDiscardAllowed(): boolean {
  return discard;
}

/**
 * Runs `fn` with every decision of the downs below ("does this table hold
 * rows?") answered by `counter`: db:plan runs the downs on an empty scratch
 * copy and answers from the database it plans for, so the plan shows what
 * the rollback will really send there.
 */
export async function withRowCounts<T>(counter: RowCounter, fn: () => Promise<T>): Promise<T> {
  const saved = counterOverride;
  counterOverride = counter;
  try {
    return await fn();
  } finally {
    counterOverride = saved;
  }
}

/** The rows of `table` (those matching `where`), as the decisions of a down see them. */
export async function countRows(own: RowCounter, table: string, where?: string): Promise<number> {
  return (counterOverride ?? own)(table, where);
}

/** A RowCounter over a QueryInterface (in its transaction, when the runner gave it one). */
export function rowCounterOf(queryInterface: QueryInterface): RowCounter {
  return async (table, where) => {
    const [found] = await queryInterface.sequelize.query<{ present: boolean }>(
      'SELECT to_regclass(:table) IS NOT NULL AS present',
      { replacements: { table: ident(table) }, type: QueryTypes.SELECT },
    );
    if (!found?.present) return 0;
    const [row] = await queryInterface.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${ident(table)}${where ? ` WHERE ${where}` : ''}`,
      { type: QueryTypes.SELECT },
    );
    return Number(row?.n ?? 0);
  };
}

/** A RowCounter over a pg client (a migration's own connection). */
export function rowCounterOfClient(client: pg.ClientBase): RowCounter {
  return async (table, where) => {
    const { rows: found } = await client.query<{ present: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS present',
      [ident(table)],
    );
    if (!found[0]?.present) return 0;
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${ident(table)}${where ? ` WHERE ${where}` : ''}`,
    );
    return Number(rows[0]?.n ?? 0);
  };
}

async function exists(queryInterface: QueryInterface, table: string): Promise<boolean> {
  const [found] = await queryInterface.sequelize.query<{ present: boolean }>(
    'SELECT to_regclass(:table) IS NOT NULL AS present',
    { replacements: { table: ident(table) }, type: QueryTypes.SELECT },
  );
  return found?.present === true;
}

/**
 * Refuses (DataLossRefusedError) when the rows of `table` matching `where`
 * would be lost, unless --discard-data was given. The rows are counted
 * through `source`: the down's queryInterface, or a RowCounter over the
 * connection that then alters the table (a count in the runner's
 * transaction would hold a lock that connection waits for). `what` names the loss for
 * the message ("table users", "column campaigns.x").
 */
export async function refuseToLoseRows(
  source: QueryInterface | RowCounter,
  table: string,
  options: { where?: string; what?: string } = {},
): Promise<void> {
  if (discard) return;
  const own = typeof source === 'function' ? source : rowCounterOf(source);
  const rows = await countRows(own, table, options.where);
  if (rows > 0) throw new DataLossRefusedError(table, rows, options.what ?? `table ${table}`);
}

/**
 * The first thing the up of a table a down may have kept aside does: when
 * `<table>_archived` is there and `<table>` is not, renames it back (rows,
 * ids, sequence, indexes and keys as they were) and returns true; the up
 * then has nothing else to do. Otherwise false, and nothing was sent.
 */
export async function bringTableBack(
  queryInterface: QueryInterface,
  table: string,
): Promise<boolean> {
  const archived = archivedName(table);
  if (!(await exists(queryInterface, archived)) || (await exists(queryInterface, table))) {
    return false;
  }
  await queryInterface.sequelize.query(`ALTER TABLE ${ident(archived)} RENAME TO ${ident(table)}`);
  return true;
}

/**
 * The down of a table that keeps what it holds: a table with rows is
 * renamed aside to `<table>_archived` (the up renames it back), with or
 * without --discard-data, since nothing is lost; an empty one is dropped by
 * `drop`, the statement the down always sent. Refuses when an archive of
 * the table is already there, rather than lose either.
 */
export async function keepTableAside(
  queryInterface: QueryInterface,
  table: string,
  drop: () => Promise<unknown>,
): Promise<void> {
  const rows = await countRows(rowCounterOf(queryInterface), table);
  if (rows === 0) {
    await drop();
    return;
  }
  const archived = archivedName(table);
  if (await exists(queryInterface, archived)) {
    throw new OperatorError(
      `${table} holds ${rows} row(s) and ${archived} already exists: keeping the rows aside would ` +
        `need its name. Nothing was changed by this step. Look at ${archived} (an earlier rollback ` +
        'kept it), drop it if it is not needed, and run the rollback again',
    );
  }
  await queryInterface.sequelize.query(`ALTER TABLE ${ident(table)} RENAME TO ${ident(archived)}`);
}
