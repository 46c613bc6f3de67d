import type { Item, Location } from '../../../models';
import type { AsOfService } from '../../services/as-of-service';
import type { CharacterService } from '../../services/character-service';
import type { ItemLocationService } from '../../services/item-location-service';
import type { ApiRouter } from '../api/api-router';
import { presentCharacterAsOf, presentThingAsOf } from '../as-of-presenters';
import { presentCharacter, presentPage, presentThing } from '../presenters';
import { AsOfQuery } from '../schemas/as-of';
import { IdParams } from '../schemas/common';
import {
  Character,
  CharacterList,
  CharacterListQuery,
  ContentListQuery,
  CreateCharacterBody,
  ItemList,
  ItemSchemas,
  LocationList,
  LocationSchemas,
  UpdateCharacterBody,
} from '../schemas/content';

/** /api/characters: list, create, read, update, delete. */
export function characterRoutes(
  api: ApiRouter,
  characters: CharacterService,
  asOf: AsOfService,
): void {
  const tag = 'Characters';
  const path = '/api/characters';
  api.authed(
    {
      method: 'get',
      operationId: 'listCharacters',
      path,
      summary: 'Characters in your campaigns',
      tag,
      query: CharacterListQuery,
      status: 200,
      response: CharacterList,
      errors: [404],
    },
    async ({ query }, caller) =>
      presentPage(await characters.list(caller.userId, query), presentCharacter),
  );
  api.authed(
    {
      method: 'post',
      operationId: 'createCharacter',
      path,
      summary: 'Create a character',
      tag,
      body: CreateCharacterBody,
      status: 201,
      response: Character,
      errors: [403, 404, 409],
      etag: true,
    },
    async ({ body }, caller) => presentCharacter(await characters.create(caller.userId, body)),
  );
  api.authed(
    {
      method: 'get',
      operationId: 'getCharacter',
      path: `${path}/:id`,
      summary: 'One character, or with asOf as it was then',
      tag,
      params: IdParams,
      query: AsOfQuery,
      status: 200,
      response: Character,
      errors: [404],
      etag: true,
    },
    async ({ params, query }, caller) => {
      if (query.asOf === undefined) {
        return presentCharacter(await characters.get(params.id, caller.userId));
      }
      const { row, users } = await asOf.get('character', params.id, caller.userId, query.asOf);
      return presentCharacterAsOf(row, users);
    },
  );
  api.authed(
    {
      method: 'patch',
      operationId: 'updateCharacter',
      path: `${path}/:id`,
      summary: 'Change a character',
      tag,
      params: IdParams,
      body: UpdateCharacterBody,
      status: 200,
      response: Character,
      errors: [403, 404, 409],
      etag: true,
    },
    async ({ params, body, ifMatch }, caller) =>
      presentCharacter(
        await characters.update(params.id, caller.userId, body, ifMatch(presentCharacter)),
      ),
  );
  api.authed(
    {
      method: 'delete',
      operationId: 'deleteCharacter',
      path: `${path}/:id`,
      summary: 'Delete a character',
      tag,
      params: IdParams,
      status: 204,
      errors: [403, 404],
      etag: true,
    },
    async ({ params, ifMatch }, caller) =>
      characters.remove(params.id, caller.userId, ifMatch(presentCharacter)),
  );
}

/** /api/items or /api/locations: list, create, read, update, delete. */
export function itemLocationRoutes(
  api: ApiRouter,
  service: ItemLocationService<Item> | ItemLocationService<Location>,
  kind: 'items' | 'locations',
  asOf: AsOfService,
): void {
  const tag = kind === 'items' ? 'Items' : 'Locations';
  const singular = kind === 'items' ? 'Item' : 'Location';
  const schemas = kind === 'items' ? ItemSchemas : LocationSchemas;
  const list = kind === 'items' ? ItemList : LocationList;
  const path = `/api/${kind}`;
  api.authed(
    {
      method: 'get',
      operationId: `list${tag}`,
      path,
      summary: `${tag} in your campaigns`,
      tag,
      query: ContentListQuery,
      status: 200,
      response: list,
      errors: [404],
    },
    async ({ query }, caller) =>
      presentPage(await service.list(caller.userId, query), presentThing),
  );
  api.authed(
    {
      method: 'post',
      operationId: `create${singular}`,
      path,
      summary: `Create one of the ${kind}`,
      tag,
      body: schemas.create,
      status: 201,
      response: schemas.resource,
      errors: [403, 404],
      etag: true,
    },
    async ({ body }, caller) => presentThing(await service.create(caller.userId, body)),
  );
  api.authed(
    {
      method: 'get',
      operationId: `get${singular}`,
      path: `${path}/:id`,
      summary: `One of the ${kind}, or with asOf as it was then`,
      tag,
      params: IdParams,
      query: AsOfQuery,
      status: 200,
      response: schemas.resource,
      errors: [404],
      etag: true,
    },
    async ({ params, query }, caller) => {
      if (query.asOf === undefined)
        return presentThing(await service.get(params.id, caller.userId));
      const rowKind = kind === 'items' ? 'item' : 'location';
      const { row, users } = await asOf.get(rowKind, params.id, caller.userId, query.asOf);
      return presentThingAsOf(row, users);
    },
  );
  api.authed(
    {
      method: 'patch',
      operationId: `update${singular}`,
      path: `${path}/:id`,
      summary: `Change one of the ${kind}`,
      tag,
      params: IdParams,
      body: schemas.update,
      status: 200,
      response: schemas.resource,
      errors: [403, 404],
      etag: true,
    },
    async ({ params, body, ifMatch }, caller) =>
      presentThing(await service.update(params.id, caller.userId, body, ifMatch(presentThing))),
  );
  api.authed(
    {
      method: 'delete',
      operationId: `delete${singular}`,
      path: `${path}/:id`,
      summary: `Delete one of the ${kind}`,
      tag,
      params: IdParams,
      status: 204,
      errors: [403, 404],
      etag: true,
    },
    async ({ params, ifMatch }, caller) =>
      service.remove(params.id, caller.userId, ifMatch(presentThing)),
  );
}
