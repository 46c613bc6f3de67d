import type { Item, Location } from '../../../models';
import { ValidationError } from '../../errors';
import type { CampaignService } from '../../services/campaign-service';
import type { CharacterService } from '../../services/character-service';
import type { HistoryCursors } from '../../services/history-cursor';
import type { CursorScope } from '../../services/signed-cursor';
import type { ItemLocationService } from '../../services/item-location-service';
import type { RestoreService } from '../../services/restore-service';
import type { RevertService } from '../../services/revert-service';
import type { TrashService } from '../../services/trash-service';
import type { ApiRouter } from '../api/api-router';
import { presentCampaign, presentCharacter, presentThing } from '../presenters';
import { Campaign } from '../schemas/campaigns';
import { IdParams } from '../schemas/common';
import { Character, ItemSchemas, LocationSchemas } from '../schemas/content';
import { NOT_A_CURSOR } from '../schemas/history';
import { RestoredCharacter, RevertParams, TrashList, TrashQuery } from '../schemas/history-actions';
import type { RowKind } from '../../registry';

const tag = 'History';

export interface HistoryActionServices {
  restore: RestoreService;
  revert: RevertService;
  trash: TrashService;
  cursors: HistoryCursors;
  campaigns: CampaignService;
  characters: CharacterService;
  items: ItemLocationService<Item>;
  locations: ItemLocationService<Location>;
}

/**
 * Acting on the history: a campaign's recycle bin, restoring a deleted
 * character, item or location, reverting one update of a row. Each answers
 * the resource as its GET does (with its ETag).
 */
export function historyActionRoutes(api: ApiRouter, s: HistoryActionServices): void {
  api.authed(
    {
      method: 'get',
      operationId: 'getCampaignTrash',
      path: '/api/campaigns/:id/trash',
      summary: 'Deleted characters, items and locations that can still be restored, newest first',
      tag,
      params: IdParams,
      query: TrashQuery,
      status: 200,
      response: TrashList,
      errors: [404],
    },
    async ({ params, query }, caller) => {
      const scope: CursorScope = ['trash', params.id, query.kind ?? null];
      let cursor;
      if (query.cursor !== undefined) {
        cursor = s.cursors.read(query.cursor, scope) ?? undefined;
        if (!cursor) {
          throw new ValidationError(`Invalid request: query.cursor: ${NOT_A_CURSOR}`, [
            { field: 'query.cursor', message: NOT_A_CURSOR },
          ]);
        }
      }
      const page = await s.trash.list(params.id, caller.userId, {
        kind: query.kind,
        limit: query.limit,
        cursor,
      });
      return {
        data: page.rows.map(({ kind, id, name, deletedAt, deletedBy }) => ({
          kind,
          id,
          name,
          deletedAt,
          deletedBy,
        })),
        page: { nextCursor: page.next ? s.cursors.issue(page.next, scope) : null },
      };
    },
  );

  const restoreErrors = [403 as const, 404 as const, 409 as const];
  const restoreSummary = (what: string) =>
    `Bring back a deleted ${what} with its id and values (who may delete it may restore it)`;
  api.authed(
    {
      method: 'post',
      operationId: 'restoreCharacter',
      path: '/api/characters/:id/restore',
      summary: restoreSummary('character'),
      tag,
      params: IdParams,
      status: 201,
      response: RestoredCharacter,
      errors: restoreErrors,
      etag: true,
      etagOf: ({ ownerReassigned: _note, ...character }: { ownerReassigned: unknown }) => character,
    },
    async ({ params }, caller) => {
      const restored = await s.restore.restore('character', params.id, caller.userId);
      return {
        ...presentCharacter(await s.characters.get(params.id, caller.userId)),
        ownerReassigned: restored.ownerReassigned,
      };
    },
  );
  for (const [kind, collection, schemas, service] of [
    ['item', 'items', ItemSchemas, s.items],
    ['location', 'locations', LocationSchemas, s.locations],
  ] as const) {
    const name = kind === 'item' ? 'Item' : 'Location';
    api.authed(
      {
        method: 'post',
        operationId: `restore${name}`,
        path: `/api/${collection}/:id/restore`,
        summary: restoreSummary(kind),
        tag,
        params: IdParams,
        status: 201,
        response: schemas.resource,
        errors: restoreErrors,
        etag: true,
      },
      async ({ params }, caller) => {
        await s.restore.restore(kind, params.id, caller.userId);
        return presentThing(await service.get(params.id, caller.userId));
      },
    );
  }

  const reverted: Record<
    RowKind,
    {
      collection: string;
      name: string;
      present: (id: number, userId: number) => Promise<unknown>;
      response: typeof Character | typeof Campaign | typeof ItemSchemas.resource;
    }
  > = {
    campaign: {
      collection: 'campaigns',
      name: 'Campaign',
      present: async (id, userId) => presentCampaign(await s.campaigns.get(id, userId)),
      response: Campaign,
    },
    character: {
      collection: 'characters',
      name: 'Character',
      present: async (id, userId) => presentCharacter(await s.characters.get(id, userId)),
      response: Character,
    },
    item: {
      collection: 'items',
      name: 'Item',
      present: async (id, userId) => presentThing(await s.items.get(id, userId)),
      response: ItemSchemas.resource,
    },
    location: {
      collection: 'locations',
      name: 'Location',
      present: async (id, userId) => presentThing(await s.locations.get(id, userId)),
      response: LocationSchemas.resource,
    },
  };
  for (const [kind, { collection, name, present, response }] of Object.entries(reverted) as Array<
    [RowKind, (typeof reverted)[RowKind]]
  >) {
    api.authed(
      {
        method: 'post',
        operationId: `revert${name}Change`,
        path: `/api/${collection}/:id/history/:entryId/revert`,
        summary: `Undo one update of one of the ${collection}, if none of its fields changed since (who may PATCH it)`,
        tag,
        params: RevertParams,
        status: 200,
        response,
        errors: [403, 404, 409],
        etag: true,
      },
      async ({ params }, caller) => {
        await s.revert.revert(kind, params.id, params.entryId, caller.userId);
        return present(params.id, caller.userId);
      },
    );
  }
}
