import type pg from 'pg';
import { ident } from '../sql-identifier';

/** An index this migration builds: its name, table and columns. */
export interface IndexSpec {
  name: string;
  table: string;
  columns: string[];
}

async function indexState(
  client: pg.Client,
  name: string,
): Promise<'absent' | 'valid' | 'invalid'> {
  const { rows } = await client.query<{ valid: boolean }>(
    `SELECT i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace`,
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
export async function createIndexConcurrently(client: pg.Client, spec: IndexSpec): Promise<void> {
  const state = await indexState(client, spec.name);
  if (state === 'valid') return;
  if (state === 'invalid') await dropIndexConcurrently(client, spec.name);
  const columns = spec.columns.map(ident).join(', ');
  try {
    await client.query(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${ident(spec.name)} ON ${ident(spec.table)} (${columns})`,
    );
  } catch (error) {
    // Leave nothing half-built behind for the next attempt to trip over. If
    // the clean-up fails too (say the connection broke), the next attempt
    // drops the leftover itself; the build's own error is the one to report.
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
export async function dropIndexConcurrently(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${ident(name)}`);
}
