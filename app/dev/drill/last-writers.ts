import type { MigrationMoments } from './migration-watch';
import type { HttpLog } from './new-version-users';
import type { WriterLog } from './previous-version';
import { DRILL_TABLES, type DrillTable } from './writer-protocol';

/**
 * What a row's audit columns must say, from who made its last change and when:
 * - `rule`: nobody since the migration started (the previous version's
 *   updates before it are data the backfill finds): the rule's values;
 * - `rule, inserted`: only inserted by the previous version: the rule's values;
 * - `null, ...`: the previous version updated it once its audit columns
 *   existed, while its backfill ran / later in the migration / after it:
 *   modified_by NULL (unknown);
 * - `null or rule`: the previous version updated it while the migration was
 *   starting, before the drill saw the table's audit columns;
 * - `actor`: a user of the new version: modified_by is that user.
 */
export const EXPECTATIONS = [
  'rule',
  'rule, inserted',
  'null, while its backfill ran',
  'null, later in the migration',
  'null, after the migration',
  'null or rule',
  'actor',
] as const;
export type Expected = (typeof EXPECTATIONS)[number];

/** Per table: the ids of the rows the drill wrote, what each must say, and the actor (0 when none). */
export type Expectations = Record<
  DrillTable,
  { ids: number[]; expected: Expected[]; actors: number[] }
>;

/** When the migration ran, seen from outside (epoch ms). */
export interface MigrationTimes extends MigrationMoments {
  startedAt: number;
  endedAt: number;
}

function afterColumns(table: DrillTable, startedAt: number, times: MigrationTimes): Expected {
  const columnsAt = times.columnsAt[table];
  if (columnsAt === undefined || startedAt <= columnsAt) return 'null or rule';
  if (startedAt < (times.backfilledAt[table] ?? Infinity)) return 'null, while its backfill ran';
  return startedAt < times.endedAt ? 'null, later in the migration' : 'null, after the migration';
}

/** The last change of every row the drill wrote, from both versions' logs. */
export function lastWriters(
  previous: WriterLog,
  http: HttpLog,
  times: MigrationTimes,
): Expectations {
  const last = new Map<string, { at: number; expected: Expected; actor: number }>();
  const note = (table: DrillTable, id: number, at: number, expected: Expected, actor = 0) => {
    const key = `${table}:${id}`;
    const before = last.get(key);
    if (!before || before.at <= at) last.set(key, { at, expected, actor });
  };
  for (const [table, id, kind, startedAt, ms] of previous.writes) {
    if (kind === 'insert') note(table, id, startedAt, 'rule, inserted');
    else if (startedAt + ms < times.startedAt) note(table, id, startedAt, 'rule');
    else note(table, id, startedAt, afterColumns(table, startedAt, times));
  }
  for (const { table, id, user, at } of http.writes) note(table, id, at, 'actor', user);

  const result = Object.fromEntries(
    DRILL_TABLES.map((t) => [
      t,
      { ids: [] as number[], expected: [] as Expected[], actors: [] as number[] },
    ]),
  ) as Expectations;
  for (const [key, { expected, actor }] of last) {
    const [table, id] = key.split(':') as [DrillTable, string];
    result[table].ids.push(Number(id));
    result[table].expected.push(expected);
    result[table].actors.push(actor);
  }
  return result;
}
