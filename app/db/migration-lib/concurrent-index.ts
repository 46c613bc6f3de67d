import type pg from 'pg';
import { ident } from '../sql-identifier';

/** An index a migration builds: its name, table and columns (in the current schema). */
export interface IndexSpec {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique?: boolean;
}

async function indexState(
  client: pg.ClientBase,
  name: string,
): Promise<'absent' | 'valid' | 'invalid'> {
  const { rows } = await client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
    [name],
  );
  if (rows.length === 0) return 'absent';
  return rows[0]!.valid ? 'valid' : 'invalid';
}

/**
 * Builds an index with CREATE INDEX CONCURRENTLY (writers continue; it must
 * run outside a transaction). A build that failed or was killed leaves an
 * INVALID index that IF NOT EXISTS would happily keep, so it is dropped
 * first; a valid one is kept, which makes a re-run a no-op.
 */
export async function createIndexConcurrently(
  client: pg.ClientBase,
  spec: IndexSpec,
): Promise<void> {
  const state = await indexState(client, spec.name);
  if (state === 'valid') return;
  if (state === 'invalid') await dropIndexConcurrently(client, spec.name);
  const columns = spec.columns.map(ident).join(', ');
  try {
    await client.query(
      `CREATE ${spec.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS ${ident(spec.name)} ON ${ident(spec.table)} (${columns})`,
    );
  } catch (error) {
    // Leave nothing half-built behind; if the clean-up fails too, the next
    // attempt drops the leftover itself. The build's own error is reported.
    try {
      if ((await indexState(client, spec.name)) === 'invalid') {
        await dropIndexConcurrently(client, spec.name);
      }
    } catch {
      // reported below: the original error
    }
    throw error;
  }
}

/** Drops an index without blocking writers; absent is fine. */
export async function dropIndexConcurrently(client: pg.ClientBase, name: string): Promise<void> {
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${ident(name)}`);
}
