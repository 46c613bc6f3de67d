import { RECORDER_MARK } from '../../db/migration-lib/recorded-fills';
/**
 * What varies from one replay to the next without the migration doing
 * anything different: whitespace, the clock (a timestamp or a month taken
 * from now()), and the random names Sequelize gives transactions and
 * savepoints. Everything else in a statement is its behaviour and is kept.
 */
export interface ReplayClock {
  /** When the replay ran: timestamps this close to it read as `<now>`. */
  readonly now: Date;
}

// A replay lasts well under this; a fixed timestamp in a migration is farther.
const NOW_WINDOW_MS = 15 * 60 * 1000;
const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
// 2026-12-03, 2026-12-03 09:30:00.123 +00:00, 2026-12-03T09:30:00.123Z
const TIMESTAMP =
  /\b(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?(?: ?(?:Z|[+-]\d{2}(?::?\d{2})?))?)?/g;
// history_entries_p202612, history_entries_2026_12 and the like
const MONTH_NAME = /(_p?)(\d{4})_?(\d{2})(?=\b|_)/g;

function monthOffset(clock: ReplayClock, year: number, month: number): number {
  return (year - clock.now.getUTCFullYear()) * 12 + (month - 1 - clock.now.getUTCMonth());
}

function relativeMonth(offset: number): string {
  return offset === 0 ? 'month' : `month${offset > 0 ? '+' : ''}${offset}`;
}

/**
 * A date or timestamp literal: the first of a month (at midnight) as a month
 * relative to the clock's, a timestamp within minutes of the clock as
 * `<now>`, anything else as written.
 */
function normalizeDate(
  clock: ReplayClock,
  match: string,
  y: string,
  m: string,
  d: string,
  time?: string,
): string {
  const offset = monthOffset(clock, Number(y), Number(m));
  if (d === '01' && (time === undefined || time === '00:00:00') && Math.abs(offset) <= 24) {
    return `<${relativeMonth(offset)}-01>`;
  }
  const at = Date.parse(match.replace(' ', 'T').replace(/ (?=[+-])/, ''));
  if (Number.isFinite(at) && Math.abs(at - clock.now.getTime()) < NOW_WINDOW_MS) return '<now>';
  return match;
}

/** One statement as text, with the clock and random names made stable and whitespace collapsed. */
export function normalizeText(text: string, clock: ReplayClock): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*;$/, '')
    .replace(UUID, '<uuid>')
    .replace(TIMESTAMP, (match, y: string, m: string, d: string, time?: string) =>
      normalizeDate(clock, match, y, m, d, time),
    )
    .replace(MONTH_NAME, (match, prefix: string, y: string, m: string) => {
      const offset = monthOffset(clock, Number(y), Number(m));
      return Math.abs(offset) <= 24 ? `${prefix}<${relativeMonth(offset)}>` : match;
    });
}

function paramText(param: unknown): string {
  if (param instanceof Date) return param.toISOString();
  if (Buffer.isBuffer(param)) return `\\x${param.toString('hex')}`;
  return param === undefined ? 'null' : JSON.stringify(param);
}

/** A statement and its parameters as one transcript line. */
export function normalizeStatement(
  sql: string,
  params: unknown[] | undefined,
  clock: ReplayClock,
): string {
  const text = normalizeText(sql, clock);
  if (!params || params.length === 0) return text;
  return `${text} -- params: ${normalizeText(`[${params.map(paramText).join(', ')}]`, clock)}`;
}

// Pure reads do nothing to the database; what they decide shows in the
// statements that follow. A SELECT that calls a function with effects is no read.
const READ = /^(SELECT|SHOW|TABLE|VALUES|EXPLAIN)\b/i;
const EFFECTS =
  /\b(set_config|setval|nextval|pg_cancel_backend|pg_terminate_backend|pg_advisory\w*|pg_notify|lo_\w+|dblink\w*|pg_reload_conf)\s*\(/i;
const WRITING_WITH = /\b(UPDATE|INSERT|DELETE|MERGE)\b/i;

/** True for a statement that belongs in a transcript: anything but a pure read and the runners' bookkeeping. */
export function isBehaviour(sql: string): boolean {
  const text = sql.trim();
  if (text.includes('"SequelizeMeta"') || text.includes('"SequelizeData"')) return false;
  // The runner's record of what a migration fills is its bookkeeping, like its history.
  if (text.startsWith(RECORDER_MARK)) return false;
  if (/^WITH\b/i.test(text)) return WRITING_WITH.test(text) || EFFECTS.test(text);
  return !READ.test(text) || EFFECTS.test(text);
}
