import { SignedCursors } from './signed-cursor';

/*
 * Where a history page ends: the (at, id) of its last entry, handed to the
 * client as an opaque, signed string. `at` keeps PostgreSQL's microseconds,
 * which a JavaScript Date would round away, so the next page starts exactly
 * after the last entry seen. Entries are never changed once written, so a
 * keyset on (at, id) neither skips nor repeats one while others are added.
 * Signed and bound to their list as every cursor is (signed-cursor.ts).
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

/** The position a cursor's JSON names, or null when it is not one. */
function positionOf(pair: unknown): HistoryCursor | null {
  if (!Array.isArray(pair) || pair.length !== 2) return null;
  const [at, id] = pair as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string') return null;
  if (!realInstant(at) || !ID.test(id) || BigInt(id) > MAX_BIGINT) return null;
  return { at, id };
}

/** Issues and reads the signed cursors of history lists. */
export class HistoryCursors extends SignedCursors<HistoryCursor> {
  constructor(secret: string) {
    super(secret, {
      domain: 'gma history cursor v1',
      encode: (last) => [last.at, last.id],
      decode: positionOf,
    });
  }
}
