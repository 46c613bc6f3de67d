import type { HistoryKind } from '../../history/history-spec';
import type { HistoryService } from '../../services/history-service';
import type { ApiRouter } from '../api/api-router';
import {
  presentActivityEntry,
  presentHistoryEntry,
  presentHistoryPage,
} from '../history-presenters';
import { IdParams } from '../schemas/common';
import { ActivityList, ActivityQuery, HistoryList, HistoryQuery } from '../schemas/history';

const tag = 'History';

/** The collection each kind of row is served under. */
const COLLECTIONS: Record<HistoryKind, string> = {
  campaign: 'campaigns',
  character: 'characters',
  item: 'items',
  location: 'locations',
};

/** The kind as it appears in operation ids (getItemHistory). */
const KIND_NAMES: Record<HistoryKind, string> = {
  campaign: 'Campaign',
  character: 'Character',
  item: 'Item',
  location: 'Location',
};

/** /api/<collection>/:id/history for each kind of row, and /api/campaigns/:id/activity. */
export function historyRoutes(api: ApiRouter, history: HistoryService): void {
  for (const [kind, collection] of Object.entries(COLLECTIONS) as Array<[HistoryKind, string]>) {
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
      async ({ params, query }, caller) =>
        presentHistoryPage(
          await history.ofRow(kind, params.id, caller.userId, query),
          presentHistoryEntry,
        ),
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
    async ({ params, query }, caller) =>
      presentHistoryPage(
        await history.activity(params.id, caller.userId, query),
        presentActivityEntry,
      ),
  );
}
