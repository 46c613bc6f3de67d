import { expect } from 'chai';
import request from 'supertest';
import { SERVER_SET_FIELDS } from '../../../app/http/api/validation';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// For every endpoint that takes a body: a valid body plus one field the server
// sets (created_by, modifiedBy, id, timestamps...) is refused with 400 naming
// the field, and the table it would have written is exactly as before.

interface WriteCase {
  method: 'post' | 'patch';
  /** OpenAPI form, to compare with the document. */
  route: string;
  url(f: CampaignFixture, ids: Ids): string;
  body(f: CampaignFixture): Record<string, unknown>;
  table: string;
}

interface Ids {
  character: number;
  item: number;
  location: number;
}

const cases: WriteCase[] = [
  {
    method: 'post',
    route: '/api/auth/register',
    url: () => '/api/auth/register',
    body: () => ({ username: 'newcomer', email: 'n@example.test', password: 'long enough pw' }),
    table: 'users',
  },
  {
    method: 'post',
    route: '/api/auth/login',
    url: () => '/api/auth/login',
    body: (f) => ({ username: f.owner.username, password: 'correct horse battery' }),
    table: 'auth_tokens',
  },
  {
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    body: () => ({ name: 'Another' }),
    table: 'campaigns',
  },
  {
    method: 'patch',
    route: '/api/campaigns/{id}',
    url: (f) => `/api/campaigns/${f.campaignId}`,
    body: () => ({ name: 'Renamed' }),
    table: 'campaigns',
  },
  {
    method: 'post',
    route: '/api/campaigns/{id}/invitations',
    url: (f) => `/api/campaigns/${f.campaignId}/invitations`,
    body: (f) => ({ username: f.outsider.username, role: 'PLAYER' }),
    table: 'campaign_invitations',
  },
  {
    method: 'patch',
    route: '/api/campaigns/{id}/members/{userId}',
    url: (f) => `/api/campaigns/${f.campaignId}/members/${f.player.id}`,
    body: () => ({ role: 'OBSERVER' }),
    table: 'campaign_memberships',
  },
  ...(['character', 'item', 'location'] as const).flatMap((kind): WriteCase[] => [
    {
      method: 'post',
      route: `/api/${kind}s`,
      url: () => `/api/${kind}s`,
      body: (f) => ({ campaignId: f.campaignId, name: 'Fresh' }),
      table: `${kind}s`,
    },
    {
      method: 'patch',
      route: `/api/${kind}s/{id}`,
      url: (_f, ids) => `/api/${kind}s/${ids[kind]}`,
      body: () => ({ name: 'Renamed', description: 'changed' }),
      table: `${kind}s`,
    },
  ]),
];

const bodiless: Array<[string, (f: CampaignFixture, ids: Ids) => string, string]> = [
  ['/api/auth/logout', () => '/api/auth/logout', 'auth_tokens'],
  ['/api/invitations/{id}/accept', () => '/api/invitations/1/accept', 'campaign_invitations'],
  ['/api/invitations/{id}/decline', () => '/api/invitations/1/decline', 'campaign_invitations'],
  [
    '/api/campaigns/{id}/invitations/{invitationId}',
    (f) => `/api/campaigns/${f.campaignId}/invitations/1`,
    'campaign_invitations',
  ],
  ['/api/campaigns/{id}', (f) => `/api/campaigns/${f.campaignId}`, 'campaigns'],
  [
    '/api/campaigns/{id}/members/{userId}',
    (f) => `/api/campaigns/${f.campaignId}/members/${f.player.id}`,
    'campaign_memberships',
  ],
  ['/api/characters/{id}', (_f, ids) => `/api/characters/${ids.character}`, 'characters'],
  ['/api/items/{id}', (_f, ids) => `/api/items/${ids.item}`, 'items'],
  ['/api/locations/{id}', (_f, ids) => `/api/locations/${ids.location}`, 'locations'],
  ...(['character', 'item', 'location'] as const).map(
    (kind): [string, (f: CampaignFixture, ids: Ids) => string, string] => [
      `/api/${kind}s/{id}/restore`,
      (_f, ids) => `/api/${kind}s/${ids[kind]}/restore`,
      `${kind}s`,
    ],
  ),
  ...(['campaign', 'character', 'item', 'location'] as const).map(
    (kind): [string, (f: CampaignFixture, ids: Ids) => string, string] => [
      `/api/${kind}s/{id}/history/{entryId}/revert`,
      (f, ids) =>
        `/api/${kind}s/${kind === 'campaign' ? f.campaignId : ids[kind]}/history/1/revert`,
      `${kind}s`,
    ],
  ),
];

/** Logout, accept, decline, restore and revert are POSTs; the other bodiless writes are DELETEs. */
const bodilessMethod = (route: string) =>
  /logout|accept|decline|restore|revert/.test(route) ? ('post' as const) : ('delete' as const);

describe('Server-set fields in request bodies', () => {
  let db: TestDatabase;
  let f: CampaignFixture;
  let ids: Ids;

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
    const make = async (kind: string) =>
      (
        await request(f.app)
          .post(`/api/${kind}s`)
          .set('Authorization', f.owner.auth)
          .send({ campaignId: f.campaignId, name: `A ${kind}` })
          .expect(201)
      ).body.id as number;
    ids = {
      character: await make('character'),
      item: await make('item'),
      location: await make('location'),
    };
  });
  after(async () => {
    await db?.drop();
  });

  function send(c: WriteCase, body: object) {
    const req =
      c.method === 'post'
        ? request(f.app).post(c.url(f, ids))
        : request(f.app).patch(c.url(f, ids));
    return req.set('Authorization', f.owner.auth).send(body);
  }

  async function snapshot(table: string): Promise<string> {
    const [rows] = await db.sequelize.query(`SELECT * FROM ${table} ORDER BY id`);
    return JSON.stringify(rows);
  }

  for (const c of cases) {
    it(`when ${c.method.toUpperCase()} ${c.route} carries a server-set field, answers 400 naming it and changes nothing`, async () => {
      const before = await snapshot(c.table);
      for (const field of SERVER_SET_FIELDS) {
        const body = {
          ...c.body(f),
          [field]: field.startsWith('created') || field === 'id' ? 1 : 2,
        };
        const res = await send(c, body);
        expect(res.status, `${field}: ${JSON.stringify(res.body)}`).to.equal(400);
        expect(res.body.error.code).to.equal('validation_failed');
        expect(res.body.error.details).to.deep.include({
          field: `body.${field}`,
          message: `${field} is set by the server and cannot be sent; remove it`,
        });
      }
      expect(await snapshot(c.table)).to.equal(before);
    });
  }

  for (const [route, url, table] of bodiless) {
    const method = bodilessMethod(route);
    it(`when ${method.toUpperCase()} ${route}, which takes no body, gets server-set fields, answers 400 and changes nothing`, async () => {
      const before = await snapshot(table);
      for (const field of SERVER_SET_FIELDS) {
        const req =
          method === 'post' ? request(f.app).post(url(f, ids)) : request(f.app).delete(url(f, ids));
        const res = await req.set('Authorization', f.owner.auth).send({ [field]: 1 });
        expect(res.status, `${field}: ${JSON.stringify(res.body)}`).to.equal(400);
        expect(res.body.error.details).to.deep.include({
          field: `body.${field}`,
          message: `${field} is set by the server and cannot be sent; remove it`,
        });
      }
      expect(await snapshot(table)).to.equal(before);
    });
  }

  it('when the same bodies come without those fields, they are accepted (the cases are valid)', async () => {
    for (const c of [...cases].reverse()) {
      const res = await send(c, c.body(f));
      expect(res.status, `${c.method} ${c.route}: ${JSON.stringify(res.body)}`).to.be.oneOf([
        200, 201,
      ]);
    }
  });

  it('when the OpenAPI document is read, every write endpoint is covered above', async () => {
    const doc = (await request(f.app).get('/api/openapi.json').expect(200)).body;
    const writes = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .filter((op) => /^(post|patch|put|delete) /.test(op))
      .sort();
    const covered = [
      ...cases.map((c) => `${c.method} ${c.route}`),
      ...bodiless.map(([route]) => `${bodilessMethod(route)} ${route}`),
    ].sort();
    expect(writes).to.deep.equal(covered);
  });
});
