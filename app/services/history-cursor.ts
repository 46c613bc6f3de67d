/*
 * Where a history page ends: the (at, id) of its last entry, as an opaque
 * string (base64url of a JSON pair). `at` keeps PostgreSQL's microseconds,
 * which a JavaScript Date would round away, so the next page starts exactly
 * after the last entry seen. Entries are never changed once written, so a
 * keyset on (at, id) neither skips nor repeats one while others are added.
 */

/** The (at, id) of a history entry: at as UTC with microseconds, id as the bigint's decimal text. */
export interface HistoryCursor {
  at: string;
  id: string;
}

/** `2026-11-29T19:11:44.123456Z`: what the SQL reads `at` as, and all a cursor may carry. */
const AT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
/** A positive bigint in plain decimal. */
const ID = /^[1-9][0-9]{0,18}$/;
const MAX_BIGINT = 9_223_372_036_854_775_807n;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

/** The cursor of the page after the one ending at `last`. */
export function encodeCursor(last: HistoryCursor): string {
  return Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url');
}

/** A real instant in years 1900-9999, the range PostgreSQL and the API agree on. */
function realInstant(at: string): boolean {
  const match = AT.exec(at);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as number[];
  const date = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second!));
  return (
    year! >= 1900 &&
    year! <= 9999 &&
    date.getUTCMonth() === month! - 1 &&
    date.getUTCDate() === day! &&
    date.getUTCHours() === hour! &&
    date.getUTCMinutes() === minute! &&
    date.getUTCSeconds() === second!
  );
}

/** The cursor `encodeCursor` made, or null for anything else. */
export function decodeCursor(cursor: string): HistoryCursor | null {
  if (!BASE64URL.test(cursor)) return null;
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return null;
  const [at, id] = pair as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string') return null;
  if (!realInstant(at) || !ID.test(id) || BigInt(id) > MAX_BIGINT) return null;
  return { at, id };
}
