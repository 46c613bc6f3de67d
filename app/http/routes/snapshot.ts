import { ValidationError } from '../../errors';
import type { CursorScope } from '../../services/signed-cursor';
import { SnapshotCursors } from '../../services/snapshot-cursor';
import { SNAPSHOT_KINDS, type SnapshotService } from '../../services/snapshot-service';
import type { ApiRouter } from '../api/api-router';
import { presentSnapshotPage } from '../as-of-presenters';
import { SnapshotList, SnapshotQuery } from '../schemas/as-of';
import { IdParams } from '../schemas/common';
import { NOT_A_CURSOR } from '../schemas/history';

/** /api/campaigns/:id/snapshot: the campaign's content as it was at a time, paged. */
export function snapshotRoutes(api: ApiRouter, snapshots: SnapshotService, secret: string): void {
  const cursors = new SnapshotCursors(secret, SNAPSHOT_KINDS);
  api.authed(
    {
      method: 'get',
      operationId: 'getCampaignSnapshot',
      path: '/api/campaigns/:id/snapshot',
      summary:
        "The campaign's characters, items and locations as they were at a time (members), by kind then id",
      tag: 'History',
      params: IdParams,
      query: SnapshotQuery,
      status: 200,
      response: SnapshotList,
      errors: [404],
    },
    async ({ params, query }, caller) => {
      const scope: CursorScope = ['snapshot', params.id, query.at, query.kind ?? null];
      let cursor;
      if (query.cursor !== undefined) {
        cursor = cursors.read(query.cursor, scope) ?? undefined;
        if (!cursor) {
          throw new ValidationError(`Invalid request: query.cursor: ${NOT_A_CURSOR}`, [
            { field: 'query.cursor', message: NOT_A_CURSOR },
          ]);
        }
      }
      const page = await snapshots.page(params.id, caller.userId, query.at, {
        limit: query.limit,
        kind: query.kind,
        cursor,
      });
      return presentSnapshotPage(query.at, page, (next) => cursors.issue(next, scope));
    },
  );
}
