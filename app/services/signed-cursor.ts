import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * A cursor is `<payload>.<mac>`: the payload is base64url of a JSON value
 * (where a page ended), the mac an HMAC-SHA256, keyed by CURSOR_SECRET, over
 * a domain naming the cursor's format, the list it belongs to (route and
 * filters) and the payload. So only cursors this server (or an instance
 * sharing its secret) issued for this very list are read back; one with its
 * position changed, made up, or taken from another list is refused. They do
 * not expire: a cursor stays valid for as long as the secret is the same.
 */

/** payload.mac, both base64url; the mac of SHA-256 is 43 characters. */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,200}\.[A-Za-z0-9_-]{43}$/;

/**
 * What a cursor is bound to: the list it pages through. Every part that
 * chooses the rows goes in (route, row or campaign, filters); the page size
 * does not, so a client may change it between pages.
 */
export type CursorScope = ReadonlyArray<string | number | null>;

/** How one kind of cursor writes its position as JSON and reads it back (null: not one). */
export interface PositionCodec<T> {
  /** Bumped if the format changes, so that no older cursor is misread. */
  readonly domain: string;
  encode(position: T): unknown;
  decode(value: unknown): T | null;
}

/** Issues and reads signed cursors of one format. */
export class SignedCursors<T> {
  constructor(
    private readonly secret: string,
    private readonly codec: PositionCodec<T>,
  ) {}

  private mac(payload: string, scope: CursorScope): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${this.codec.domain}\n${JSON.stringify(scope)}\n${payload}`)
      .digest();
  }

  /** The cursor of the page after the one ending at `last`, in the list `scope`. */
  issue(last: T, scope: CursorScope): string {
    const payload = Buffer.from(JSON.stringify(this.codec.encode(last))).toString('base64url');
    return `${payload}.${this.mac(payload, scope).toString('base64url')}`;
  }

  /** The position a cursor from `issue` for the same `scope` names, or null for anything else. */
  read(cursor: string, scope: CursorScope): T | null {
    if (!CURSOR_PATTERN.test(cursor)) return null;
    const [payload, mac] = cursor.split('.') as [string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload, scope);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let value: unknown;
    try {
      value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    return this.codec.decode(value);
  }
}
