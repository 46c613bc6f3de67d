import type pg from 'pg';
import { ident } from '../sql-identifier';
import { buildIndexConcurrently } from './concurrent-index';

/** A unique index over an expression, e.g. `lower(username)`. */
export interface UniqueExpressionIndexSpec {
  name: string;
  table: string;
  /** SQL expression, written by the migration (never user input). */
  expression: string;
}

/**
 * CREATE UNIQUE INDEX CONCURRENTLY over the expression (see
 * buildIndexConcurrently: a valid index is kept, an INVALID leftover of a
 * failed build, say a duplicate found during the build, is dropped).
 */
export async function createUniqueExpressionIndexConcurrently(
  client: pg.Client,
  spec: UniqueExpressionIndexSpec,
): Promise<void> {
  await buildIndexConcurrently(
    client,
    spec.name,
    `CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${ident(spec.name)} ON ${ident(spec.table)} ((${spec.expression}))`,
  );
}
