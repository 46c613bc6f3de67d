import type { HistoryKind } from '../history/history-spec';
import { SignedCursors } from './signed-cursor';

/*
 * Where a snapshot page ends: the kind and id of its last row, signed and
 * bound to its list (campaign, time, kind filter) as every cursor is
 * (signed-cursor.ts), so only this list's own cursors read back.
 */

/** The last row of a page: its kind and id. */
export interface SnapshotPosition {
  kind: HistoryKind;
  id: number;
}

const MAX_ID = 2_147_483_647;

/** Issues and reads the signed cursors of snapshot pages. */
export class SnapshotCursors extends SignedCursors<SnapshotPosition> {
  constructor(secret: string, kinds: readonly HistoryKind[]) {
    super(secret, {
      domain: 'gma snapshot cursor v1',
      encode: (last) => [last.kind, last.id],
      decode: (pair) => {
        if (!Array.isArray(pair) || pair.length !== 2) return null;
        const [kind, id] = pair as unknown[];
        if (!kinds.includes(kind as HistoryKind)) return null;
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id > MAX_ID) return null;
        return { kind: kind as HistoryKind, id };
      },
    });
  }
}
