import { QueryTypes, type Sequelize } from 'sequelize';
import { ValidationError } from '../errors';
import { OLDEST_ENTRY_SQL, rowsBackSql, type RowBackRead } from '../history/as-of-sql';
import { historyTableOfKind } from '../history/history-spec';
import type { AuditUserSummary } from '../../models/mixins/audit-queries';
import type { RowKind } from '../registry';

/*
 * A row as it was at a time, from the history (app/history/as-of-sql.ts).
 *
 * The history does not record the audit columns and timestamps on updates
 * (UNRECORDED_COLUMNS), so they are given as far as it proves them:
 *   createdBy, createdAt   the creation facts, which no change alters: from
 *                          the row now, or the whole row of the first delete
 *                          after the time;
 *   modifiedBy, updatedAt  from the whole row when nothing was recorded
 *                          between the time and it (the row now, or the first
 *                          delete after the time); otherwise the last entry at
 *                          or before the time: when the history recorded it,
 *                          and its actor (null when unknown); with no such
 *                          entry (a row from before the history, changed
 *                          since) both are null: unknown.
 */

/** A row as it was: its recorded columns by database name, and its audit facts. */
export interface RowAsOf {
  kind: RowKind;
  id: number;
  values: Record<string, unknown>;
  createdBy: number | null;
  createdAt: string;
  modifiedBy: number | null;
  updatedAt: string | null;
}

/** The user summaries a set of rows refers to, by id (absent: no such user now). */
export type UserSummaries = Map<number, AuditUserSummary>;

/** A time the history can answer, as given, or a 400 naming `field`. */
export interface AnswerableTime {
  /** The instant as the client gave it (ISO 8601). */
  at: string;
}

const iso = (value: unknown): string => new Date(value as string).toISOString();
const idOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** The row at the time, or null when it did not exist then. */
function toRowAsOf(kind: RowKind, read: RowBackRead): RowAsOf | null {
  const existed =
    read.first_action === null
      ? read.current !== null
      : ['update', 'delete'].includes(read.first_action);
  if (!existed) return null;
  const values = { ...(read.current ?? {}), ...(read.walked_back ?? {}) };
  // The whole row nothing recorded separates from the time, if there is one.
  const whole =
    read.first_action === null
      ? read.current
      : read.first_action === 'delete'
        ? Object.fromEntries(
            Object.entries(read.first_changes ?? {}).map(([key, change]) => [key, change.from]),
          )
        : null;
  return {
    kind,
    id: read.id,
    values,
    createdBy: idOrNull(values.created_by),
    createdAt: iso(values.created_at),
    modifiedBy: whole ? idOrNull(whole.modified_by) : read.last_actor,
    updatedAt: whole ? iso(whole.updated_at) : read.last_at ? read.last_at.toISOString() : null,
  };
}

/** Reads rows back to a time, and the bounds of the times it can answer. */
export class RowsAsOf {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * `at` if the history can answer it, else a 400 naming `field`: a time
   * after the server's clock (its answer could still change), or before the
   * history's oldest kept entry (what changed before is not known, or was
   * pruned), which the message gives.
   */
  async answerable(field: string, at: string): Promise<AnswerableTime> {
    // Compared in the database, to the microsecond the history keeps.
    const [bounds] = await this.sequelize.query<{
      earliest: string | null;
      now: string;
      before: boolean | null;
      future: boolean;
    }>(
      `SELECT ${utc('oldest.at')} AS earliest, ${utc('clock_timestamp()')} AS now,
              $1::timestamptz < oldest.at AS before, $1::timestamptz > clock_timestamp() AS future
         FROM (SELECT 1) one LEFT JOIN (${OLDEST_ENTRY_SQL}) oldest ON true`,
      { bind: [at], type: QueryTypes.SELECT },
    );
    if (!bounds || bounds.future) {
      throw refuse(
        field,
        `is in the future; the latest time it can name is now (${bounds?.now ?? 'now'})`,
      );
    }
    // An empty history has seen no change yet: no time before now can be answered.
    if (bounds.earliest === null || bounds.before) {
      throw refuse(
        field,
        `is before the history's oldest kept entry; the earliest time it can answer is ${bounds.earliest ?? bounds.now}`,
      );
    }
    return { at };
  }

  /** Rows `ids` of `kind` as they were at `at`, in the order given; null where absent then. */
  async read(
    kind: RowKind,
    ids: readonly number[],
    at: AnswerableTime,
  ): Promise<Array<RowAsOf | null>> {
    if (ids.length === 0) return [];
    const reads = await this.sequelize.query<RowBackRead>(
      rowsBackSql(historyTableOfKind(kind).table),
      {
        bind: [ids, at.at],
        type: QueryTypes.SELECT,
      },
    );
    return reads.map((read) => toRowAsOf(kind, read));
  }

  /** The public columns of the users `ids` (users deleted since are absent). */
  async users(ids: Iterable<number | null | undefined>): Promise<UserSummaries> {
    const wanted = [...new Set([...ids].filter((id): id is number => typeof id === 'number'))];
    if (wanted.length === 0) return new Map();
    const rows = await this.sequelize.query<AuditUserSummary>(
      `SELECT id, username, display_name AS "displayName" FROM users WHERE id = ANY($1::int[])`,
      { bind: [wanted], type: QueryTypes.SELECT },
    );
    return new Map(rows.map((row) => [row.id, row]));
  }
}

/** A timestamptz as UTC ISO 8601 with the microseconds PostgreSQL keeps. */
function utc(expression: string): string {
  return `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

function refuse(field: string, message: string): ValidationError {
  return new ValidationError(`Invalid request: ${field}: ${message}`, [{ field, message }]);
}
