import { ValidationError } from '../../errors';
import type { RowKind } from '../../registry';
import type { HistoryCursors } from '../../services/history-cursor';
import type { CursorScope } from '../../services/signed-cursor';
import type { HistoryService } from '../../services/history-service';
import type { ApiRouter } from '../api/api-router';
import {
  presentActivityEntry,
  presentHistoryEntry,
  presentHistoryPage,
} from '../history-presenters';
import { IdParams } from '../schemas/common';
import {
  ActivityList,
  ActivityQuery,
  HistoryList,
  HistoryQuery,
  NOT_A_CURSOR,
} from '../schemas/history';

const tag = 'History';

/**
 * The collection each kind of row is served under. Only rows with a route of
 * their own have a history route: memberships and invitations (kinds
 * `member`, `invitation`) are read through the campaign's activity.
 */
const COLLECTIONS: Record<RowKind, string> = {
  campaign: 'campaigns',
  character: 'characters',
  item: 'items',
  location: 'locations',
};

/** The kind as it appears in operation ids (getItemHistory). */
const KIND_NAMES: Record<RowKind, string> = {
  campaign: 'Campaign',
  character: 'Character',
  item: 'Item',
  location: 'Location',
};

/** The position a cursor names in the list `scope`; a cursor of any other list is a 400. */
function readCursor(cursors: HistoryCursors, cursor: string | undefined, scope: CursorScope) {
  if (cursor === undefined) return undefined;
  const position = cursors.read(cursor, scope);
  if (!position) {
    throw new ValidationError(`Invalid request: query.cursor: ${NOT_A_CURSOR}`, [
      { field: 'query.cursor', message: NOT_A_CURSOR },
    ]);
  }
  return position;
}

/**
 * /api/<collection>/:id/history for each kind of row, and
 * /api/campaigns/:id/activity. Their cursors are signed for the list they
 * page through: the route, the row or campaign, and the filters.
 */
export function historyRoutes(
  api: ApiRouter,
  history: HistoryService,
  cursors: HistoryCursors,
): void {
  for (const [kind, collection] of Object.entries(COLLECTIONS) as Array<[RowKind, string]>) {
    api.authed(
      {
        method: 'get',
        operationId: `get${KIND_NAMES[kind]}History`,
        path: `/api/${collection}/:id/history`,
        summary: `Changes of one of the ${collection}, newest first (members)`,
        tag,
        params: IdParams,
        query: HistoryQuery,
        status: 200,
        response: HistoryList,
        errors: [404],
      },
      async ({ params, query }, caller) => {
        const scope: CursorScope = ['history', kind, params.id];
        const cursor = readCursor(cursors, query.cursor, scope);
        const page = await history.ofRow(kind, params.id, caller.userId, {
          limit: query.limit,
          cursor,
        });
        return presentHistoryPage(page, presentHistoryEntry, (next) => cursors.issue(next, scope));
      },
    );
  }
  api.authed(
    {
      method: 'get',
      operationId: 'getCampaignActivity',
      path: '/api/campaigns/:id/activity',
      summary: 'Changes across a campaign and its content, deleted rows included, newest first',
      tag,
      params: IdParams,
      query: ActivityQuery,
      status: 200,
      response: ActivityList,
      errors: [404],
    },
    async ({ params, query }, caller) => {
      const { actor, kind, since, until } = query;
      const scope: CursorScope = [
        'activity',
        params.id,
        actor ?? null,
        kind ?? null,
        since ?? null,
        until ?? null,
      ];
      const cursor = readCursor(cursors, query.cursor, scope);
      const page = await history.activity(params.id, caller.userId, {
        ...query,
        cursor,
      });
      return presentHistoryPage(page, presentActivityEntry, (next) => cursors.issue(next, scope));
    },
  );
}
