import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HistoryKind } from '../history/history-spec';
import { CURSOR_PATTERN, type CursorScope } from './history-cursor';

/*
 * Where a snapshot page ends: the kind and id of its last row, handed out as
 * the history's cursors are (app/services/history-cursor.ts): `<payload>.<mac>`,
 * base64url JSON signed with CURSOR_SECRET over the list it belongs to
 * (campaign, time, kind filter), so only this list's own cursors read back.
 */

/** The last row of a page: its kind and id. */
export interface SnapshotPosition {
  kind: HistoryKind;
  id: number;
}

const DOMAIN = 'gma snapshot cursor v1';
const MAX_ID = 2_147_483_647;

/** Issues and reads the signed cursors of snapshot pages. */
export class SnapshotCursors {
  constructor(
    private readonly secret: string,
    private readonly kinds: readonly HistoryKind[],
  ) {}

  private mac(payload: string, scope: CursorScope): Buffer {
    return createHmac('sha256', this.secret)
      .update(`${DOMAIN}\n${JSON.stringify(scope)}\n${payload}`)
      .digest();
  }

  issue(last: SnapshotPosition, scope: CursorScope): string {
    const payload = Buffer.from(JSON.stringify([last.kind, last.id])).toString('base64url');
    return `${payload}.${this.mac(payload, scope).toString('base64url')}`;
  }

  /** The position a cursor from `issue` for the same `scope` names, or null for anything else. */
  read(cursor: string, scope: CursorScope): SnapshotPosition | null {
    if (!CURSOR_PATTERN.test(cursor)) return null;
    const [payload, mac] = cursor.split('.') as [string, string];
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(payload, scope);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    let pair: unknown;
    try {
      pair = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (!Array.isArray(pair) || pair.length !== 2) return null;
    const [kind, id] = pair as unknown[];
    if (!this.kinds.includes(kind as HistoryKind)) return null;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) return null;
    return { kind: kind as HistoryKind, id };
  }
}
