import type pg from 'pg';
import { ident } from '../sql-identifier';

/** An index a migration builds: its name, table and columns (in the current schema). */
export interface IndexSpec {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
}

/** True for a valid index of that name (in the current schema), false for an INVALID one, undefined when absent. */
export async function indexValidity(
  client: pg.ClientBase,
  name: string,
): Promise<boolean | undefined> {
  const { rows } = await client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  return rows[0]?.valid;
}

/**
 * Runs `createSql`, a CREATE [UNIQUE] INDEX CONCURRENTLY IF NOT EXISTS of
 * index `name` (writers continue; it must run outside a transaction). A
 * build that failed or was killed leaves an INVALID index that IF NOT EXISTS
 * would happily keep, so it is dropped first, and again if this build fails,
 * so the next attempt starts clean; a valid one is kept, which makes a
 * re-run a no-op.
 */
export async function buildIndexConcurrently(
  client: pg.ClientBase,
  name: string,
  createSql: string,
): Promise<void> {
  const valid = await indexValidity(client, name);
  if (valid === true) return;
  if (valid === false) await dropIndexConcurrently(client, name);
  try {
    await client.query(createSql);
  } catch (error) {
    // If the clean-up fails too, the next attempt drops the leftover itself.
    try {
      if ((await indexValidity(client, name)) === false) await dropIndexConcurrently(client, name);
    } catch {
      // reported below: the build's own error
    }
    throw error;
  }
}

/** Builds an index over columns concurrently (see buildIndexConcurrently). */
export async function createIndexConcurrently(
  client: pg.ClientBase,
  spec: IndexSpec,
): Promise<void> {
  const columns = spec.columns.map(ident).join(', ');
  await buildIndexConcurrently(
    client,
    spec.name,
    `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${ident(spec.name)} ON ${ident(spec.table)} (${columns})`,
  );
}

/** Drops an index without blocking writers; absent is fine. */
export async function dropIndexConcurrently(client: pg.ClientBase, name: string): Promise<void> {
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${ident(name)}`);
}
