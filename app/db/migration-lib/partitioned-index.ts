import type pg from 'pg';
import { ident } from '../sql-identifier';
import { dropIndexConcurrently, indexValidity } from './concurrent-index';
import { migrationLog } from './migration-log';
import { runOnlineDdl } from './online-ddl';

/** One key of an index: a column, ascending unless `descending`. */
export interface IndexKey {
  readonly column: string;
  readonly descending?: boolean;
}

/** A plain index of a partitioned table (in the current schema). */
export interface PartitionedIndexSpec {
  readonly name: string;
  readonly table: string;
  readonly keys: readonly IndexKey[];
}

function keyList(spec: PartitionedIndexSpec): string {
  return spec.keys.map((key) => `${ident(key.column)}${key.descending ? ' DESC' : ''}`).join(', ');
}

interface PartitionState {
  partition: string;
  /** Size of the partition's heap, e.g. "812 MB"; null when empty. */
  size: string | null;
  /** The partition's index already attached to the parent's. */
  attached: boolean;
  /** Indexes of the partition with the parent's definition, not attached (a build a crash cut short). */
  loose: Array<{ name: string; valid: boolean }>;
}

/**
 * Each partition of `spec.table` (default included), and what it has of the
 * index: attached to the parent's, or loose indexes with the same keys.
 * "Same keys" compares pg_get_indexdef from USING on, which names no index.
 */
async function partitionStates(
  client: pg.ClientBase,
  spec: PartitionedIndexSpec,
): Promise<PartitionState[]> {
  const { rows } = await client.query<{
    partition: string;
    size: string | null;
    attached: boolean;
    loose: Array<{ name: string; valid: boolean }> | null;
  }>(
    `WITH parent AS (
       SELECT c.oid, substring(pg_get_indexdef(c.oid) FROM ' USING .*$') AS keys
         FROM pg_class c
        WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace
     )
     SELECT p.relname AS partition,
            nullif(pg_size_pretty(pg_relation_size(p.oid)), '0 bytes') AS size,
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_inherits ii ON ii.inhrelid = i.indexrelid
                     WHERE i.indrelid = p.oid AND ii.inhparent = parent.oid) AS attached,
            (SELECT json_agg(json_build_object('name', ic.relname, 'valid', i.indisvalid))
               FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
              WHERE i.indrelid = p.oid
                AND NOT EXISTS (SELECT 1 FROM pg_inherits ii WHERE ii.inhrelid = i.indexrelid)
                AND substring(pg_get_indexdef(i.indexrelid) FROM ' USING .*$') = parent.keys) AS loose
       FROM parent, pg_inherits t JOIN pg_class p ON p.oid = t.inhrelid
      WHERE t.inhparent = to_regclass($2)
      ORDER BY p.relname`,
    [spec.name, spec.table],
  );
  return rows.map((row) => ({ ...row, loose: row.loose ?? [] }));
}

/**
 * The partition's index: a valid loose one is kept (a build that finished
 * before a crash), invalid ones are dropped, and otherwise it is built
 * CONCURRENTLY. Unnamed, so PostgreSQL names it as it names the index it
 * makes itself when a partition is attached later, or when a restore
 * builds the parent's index again.
 */
async function partitionIndex(
  client: pg.ClientBase,
  spec: PartitionedIndexSpec,
  state: PartitionState,
): Promise<string> {
  const kept = state.loose.find((index) => index.valid);
  for (const index of state.loose.filter((i) => !i.valid)) {
    await dropIndexConcurrently(client, index.name);
  }
  if (kept) return kept.name;
  await client.query(`CREATE INDEX CONCURRENTLY ON ${ident(state.partition)} (${keyList(spec)})`);
  const built = (await partitionStates(client, spec)).find((s) => s.partition === state.partition);
  const name = built?.loose.find((index) => index.valid)?.name;
  if (!name) throw new Error(`the index built on ${state.partition} for ${spec.name} is missing`);
  return name;
}

/**
 * Builds an index of a partitioned table without blocking its writers for
 * longer than a short lock: CREATE INDEX CONCURRENTLY does not apply to a
 * partitioned table, so the parent's index is made ON ONLY the parent
 * (invalid, covering nothing), each partition's is built concurrently and
 * attached, and the parent's becomes valid once every partition has one.
 * A partition attached meanwhile gets its index from PostgreSQL itself.
 * Re-runnable at any point: attached indexes are kept, a loose valid one is
 * attached, an invalid leftover is dropped and built again.
 */
export async function createPartitionedIndexOnline(
  client: pg.ClientBase,
  spec: PartitionedIndexSpec,
): Promise<void> {
  if ((await indexValidity(client, spec.name)) === true) return;
  await runOnlineDdl(
    client,
    [
      `CREATE INDEX IF NOT EXISTS ${ident(spec.name)} ON ONLY ${ident(spec.table)} (${keyList(spec)})`,
    ],
    [spec.table],
  );
  // Until none is missing: a partition attached while this runs may lack it.
  for (;;) {
    const missing = (await partitionStates(client, spec)).filter((state) => !state.attached);
    if (missing.length === 0) break;
    for (const [i, state] of missing.entries()) {
      const started = Date.now();
      const name = await partitionIndex(client, spec, state);
      await runOnlineDdl(
        client,
        [`ALTER INDEX ${ident(spec.name)} ATTACH PARTITION ${ident(name)}`],
        [spec.table],
      );
      // Empty partitions (those made ahead) take milliseconds: only the others are news.
      if (state.size) {
        migrationLog(
          `${spec.name}: ${state.partition} (${state.size}) indexed and attached (${i + 1} of ${missing.length}, ${Date.now() - started} ms)`,
        );
      }
    }
  }
  if ((await indexValidity(client, spec.name)) !== true) {
    throw new Error(
      `${spec.name} is still invalid with every partition attached; run the migration again`,
    );
  }
}

/**
 * Drops a partitioned table's index and its partitions' (no CONCURRENTLY
 * for a partitioned index: a catalog change under a short lock, retried).
 * Absent is fine.
 */
export async function dropPartitionedIndex(
  client: pg.ClientBase,
  spec: PartitionedIndexSpec,
): Promise<void> {
  await runOnlineDdl(client, [`DROP INDEX IF EXISTS ${ident(spec.name)}`], [spec.table]);
}
