import type pg from 'pg';
import {
  CAPTURE_FUNCTION,
  captureTriggerName,
  recordedColumnsSql,
} from '../../history/capture-sql';
import { HISTORY_DEFAULT_PARTITION, HISTORY_TABLE } from '../../history/captured-table';
import { captureMigrationOf, HISTORY_TABLES } from '../../history/history-spec';
import { MONTHS_AHEAD } from '../../history/history-steps';
import { countEntries, historyTableExists, listPartitions } from '../../history/partition-catalog';
import { ENSURE_PARTITIONS_FUNCTION } from '../../history/partition-sql';
import type { CheckResult } from '../check-report';

// pg_trigger.tgtype bits (PostgreSQL's trigger.h).
const ROW = 1;
const BEFORE = 2;
const INSERT = 4;
const DELETE = 8;
const UPDATE = 16;
const EVENTS = ROW | INSERT | DELETE | UPDATE;

const REINSTALL =
  'install it again: roll back and re-apply its capture migration ' +
  '(npm run db:rollback -- --to <migration>, then npm run db:migrate)';

/**
 * Every captured table's history trigger is there, enabled, calls the capture
 * function after every row insert, delete and update, and its UPDATE OF list
 * names every recorded column: a column added after the trigger was installed
 * would otherwise change unrecorded.
 */
export async function checkHistoryCapture(client: pg.ClientBase): Promise<CheckResult> {
  const problems: string[] = [];
  for (const spec of HISTORY_TABLES) {
    const trigger = captureTriggerName(spec.table);
    const { rows } = await client.query<{
      enabled: string;
      function: string;
      type: number;
      columns: string[] | null;
    }>(
      `SELECT t.tgenabled AS enabled, p.proname AS function, t.tgtype::int AS type,
              (SELECT array_agg(a.attname::text) FROM unnest(t.tgattr) k(attnum)
                 JOIN pg_attribute a ON a.attrelid = t.tgrelid AND a.attnum = k.attnum) AS columns
         FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2`,
      [spec.table, trigger],
    );
    const found = rows[0];
    if (!found) {
      problems.push(
        `${spec.table}: trigger ${trigger} is missing; ${REINSTALL} ${captureMigrationOf(spec.table)}`,
      );
      continue;
    }
    if (found.enabled === 'D' || found.enabled === 'R') {
      problems.push(
        `${spec.table}: trigger ${trigger} is disabled; writes go unrecorded ` +
          `(ALTER TABLE ${spec.table} ENABLE TRIGGER ${trigger})`,
      );
    }
    if (found.function !== CAPTURE_FUNCTION || (found.type & (EVENTS | BEFORE)) !== EVENTS) {
      problems.push(
        `${spec.table}: trigger ${trigger} does not call ${CAPTURE_FUNCTION}() after each row ` +
          `insert, update and delete; ${REINSTALL} ${captureMigrationOf(spec.table)}`,
      );
    }
    const { sql, params } = recordedColumnsSql(spec.table);
    const recorded = (await client.query<{ name: string }>(sql, params)).rows.map((r) => r.name);
    const watched = new Set(found.columns ?? []);
    const unwatched = recorded.filter((column) => !watched.has(column));
    if (unwatched.length > 0) {
      problems.push(
        `${spec.table}: updates of ${unwatched.join(', ')} are not recorded (added after the ` +
          `trigger was installed); ${REINSTALL} ${captureMigrationOf(spec.table)}`,
      );
    }
  }
  return problems.length
    ? {
        name: 'history capture',
        status: 'fail',
        summary: `${problems.length} problem(s)`,
        details: problems,
      }
    : {
        name: 'history capture',
        status: 'ok',
        summary: `every change of ${HISTORY_TABLES.map((s) => s.table).join(', ')} is recorded`,
      };
}

/**
 * The history has partitions for this month and the next one (the server
 * makes MONTHS_AHEAD ahead, at start and daily). A warning, not a failure:
 * without them entries land in the default partition, nothing is lost, but
 * they can no longer be pruned by dropping partitions.
 */
export async function checkHistoryPartitions(
  client: pg.ClientBase,
  now = new Date(),
): Promise<CheckResult> {
  const name = 'history partitions';
  if (!(await historyTableExists(client))) {
    return { name, status: 'fail', summary: `${HISTORY_TABLE} is missing; run npm run db:migrate` };
  }
  // Walk the contiguous partitions from the one holding now.
  let coveredUntil = now;
  for (const partition of await listPartitions(client)) {
    if (partition.starts <= coveredUntil && partition.ends > coveredUntil) {
      coveredUntil = partition.ends;
    }
  }
  const nextMonthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 2, 1));
  const inDefault = await countEntries(client, HISTORY_DEFAULT_PARTITION);
  const details =
    inDefault > 0
      ? [
          `${inDefault} entries sit in the default partition (written when no monthly ` +
            'partition covered them); db:history-prune deletes them in batches once old enough',
        ]
      : [];
  if (coveredUntil < nextMonthEnd) {
    return {
      name,
      status: 'warn',
      summary:
        coveredUntil === now
          ? 'no partition for this month: new entries go to the default partition'
          : `partitions end on ${coveredUntil.toISOString().slice(0, 10)}, less than a month ahead`,
      details: [
        'the server makes them at start and daily; or run ' +
          `SELECT ${ENSURE_PARTITIONS_FUNCTION}(now(), now() + interval '${MONTHS_AHEAD} months')`,
        ...details,
      ],
    };
  }
  return {
    name,
    status: inDefault > 0 ? 'warn' : 'ok',
    summary: `made up to ${coveredUntil.toISOString().slice(0, 10)}`,
    details,
  };
}
