import type autocannon from 'autocannon';
import { postJson } from './api';

/** The item requests the HTTP benchmarks load the API with, and the headers they need. */
export interface ItemWrites {
  headers: Record<string, string>;
  /** POST /api/items: one new item per request. */
  create: autocannon.Request;
  /** PATCH /api/items/:id: a new description for one of 200 items, picked at random. */
  update: autocannon.Request;
  /** GET /api/items/:id: one of the same 200 items, picked at random. */
  read: autocannon.Request;
}

/**
 * Registers a user on the API under `base`, gives it a campaign with 200
 * items to edit, and returns the create, update and read requests, as that user.
 */
export async function prepareItemWrites(base: string): Promise<ItemWrites> {
  const password = 'correct horse battery';
  await postJson(base, '/api/auth/register', {
    username: 'bench',
    email: 'bench@example.test',
    password,
  });
  const { token } = (await postJson(base, '/api/auth/login', {
    username: 'bench',
    password,
  })) as { token: string };
  const { id: campaignId } = await postJson(base, '/api/campaigns', { name: 'Bench' }, token);
  const ids: number[] = [];
  for (let i = 0; i < 200; i++) {
    ids.push(
      (await postJson(base, '/api/items', { campaignId, name: `target ${i}` }, token)).id as number,
    );
  }
  return {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    create: {
      method: 'POST',
      path: '/api/items',
      body: JSON.stringify({ campaignId, name: 'bench item', description: 'x' }),
    },
    update: {
      method: 'PATCH',
      path: '/api/items/0',
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        path: `/api/items/${ids[Math.floor(Math.random() * ids.length)]}`,
        body: JSON.stringify({ description: `edited ${Math.random()}` }),
      }),
    },
    read: {
      method: 'GET',
      path: '/api/items/0',
      setupRequest: (req: autocannon.Request) => ({
        ...req,
        path: `/api/items/${ids[Math.floor(Math.random() * ids.length)]}`,
      }),
    },
  };
}
