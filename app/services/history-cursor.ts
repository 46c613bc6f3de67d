import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Where a history page ends: the (at, id) of its last entry, handed to the
 * client as an opaque, signed string. `at` keeps PostgreSQL's microseconds,
 * which a JavaScript Date would round away, so the next page starts exactly
 * after the last entry seen. Entries are never changed once written, so a
 * keyset on (at, id) neither skips nor repeats one while others are added.
 *
 * A cursor is `<payload>.<mac>`: the payload is base64url of the JSON pair,
 * the mac an HMAC-SHA256, keyed by CURSOR_SECRET, over the payload and the
 * list it belongs to (route and filters). So only cursors this server (or an
 * instance sharing its secret) issued for this very list are read back; one
 * with its id changed, made up, or taken from another list is refused. They
 * do not expire: a cursor stays valid for as long as the secret is the same.
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
/** payload.mac, both base64url; the mac of SHA-256 is 43 characters. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{43}$/;
/** Bumped if the format changes, so that no older cursor is misread. */
const DOMAIN = 'gma history cursor v1';

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

/** The position a payload names, or null when it is not one. */
function positionOf(payload: string): HistoryCursor | null {
  let pair: unknown;
  try {
    pair = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(pair) || pair.length !== 2) return null;
  const [at, id] = pair as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string') return null;
  if (!realInstant(at) || !ID.test(id) || BigInt(id) > MAX_BIGINT) return null;
  return { at, id };
}

/**
 * What a cursor is bound to: the list it pages through. Every part that
 * chooses the entries goes in (route, row or campaign, filters); the page
 * size does not, so a client may change it between pages.
 */
export type CursorScope = ReadonlyArray<string | number | null>;

/** Issues and reads the signed cursors of history lists. */
export class HistoryCursors {
  constructor(private readonly secret: string) {}

  private mac(payload: string, scope: CursorScope): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${DOMAIN}\n${JSON.stringify(scope)}\n${payload}`)
      .digest();
  }

  /** The cursor of the page after the one ending at `last`, in the list `scope`. */
  issue(last: HistoryCursor, scope: CursorScope): string {
    const payload = Buffer.from(JSON.stringify([last.at, last.id])).toString('base64url');
    return `${payload}.${this.mac(payload, scope).toString('base64url')}`;
  }

  /** The position a cursor from `issue` for the same `scope` names, or null for anything else. */
  read(cursor: string, scope: CursorScope): HistoryCursor | null {
    if (!CURSOR_PATTERN.test(cursor)) return null;
    const [payload, mac] = cursor.split('.') as [string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload, scope);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return positionOf(payload);
  }
}
