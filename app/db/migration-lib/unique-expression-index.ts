import type pg from 'pg';
import { ident } from '../sql-identifier';
import { dropIndexConcurrently } from './concurrent-index';

/** A unique index over an expression, e.g. `lower(username)`. */
export interface UniqueExpressionIndexSpec {
  name: string;
  table: string;
  /** SQL expression, written by the migration (never user input). */
  expression: string;
}

async function indexValidity(client: pg.Client, name: string): Promise<boolean | undefined> {
  const { rows } = await client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  return rows[0]?.valid;
}

/**
 * CREATE UNIQUE INDEX CONCURRENTLY (writers continue; outside a transaction).
 * A valid index is kept, so a re-run is a no-op; an INVALID leftover of a
 * failed build (a duplicate found during the build, a kill) is dropped first,
 * and again if this build fails, so the next attempt starts clean.
 */
export async function createUniqueExpressionIndexConcurrently(
  client: pg.Client,
  spec: UniqueExpressionIndexSpec,
): Promise<void> {
  const valid = await indexValidity(client, spec.name);
  if (valid === true) return;
  if (valid === false) await dropIndexConcurrently(client, spec.name);
  try {
    await client.query(
      `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${ident(spec.name)} ON ${ident(spec.table)} ((${spec.expression}))`,
    );
  } catch (error) {
    try {
      if ((await indexValidity(client, spec.name)) === false) {
        await dropIndexConcurrently(client, spec.name);
      }
    } catch {
      // the build's own error is the one to report
    }
    throw error;
  }
}
