import { expect } from 'chai';
import type { Express } from 'express';
import sinon from 'sinon';
import request from 'supertest';
import { CampaignMembership } from '../../../models';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// Bad input of every kind gets a 4xx with the one error shape, a status the
// OpenAPI document lists for that operation, and no change to the database.

interface BadCase {
  name: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path of the operation. */
  route: string;
  url: (f: CampaignFixture) => string;
  body?: unknown;
  raw?: { type: string; data: string | Buffer };
  status: number;
  code: string;
  /** A field that must be named in error.details. */
  field?: string;
}

const long = (n: number) => 'x'.repeat(n);

const cases: BadCase[] = [
  {
    name: 'malformed JSON',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    raw: { type: 'application/json', data: '{"name": "broken",' },
    status: 400,
    code: 'invalid_json',
  },
  {
    name: 'a JSON array instead of an object',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    body: [{ name: 'x' }],
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a body that is not JSON',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    raw: { type: 'text/plain', data: 'name=x' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a non-JSON body on an endpoint that takes none',
    method: 'delete',
    route: '/api/items/{id}',
    url: () => '/api/items/1',
    raw: { type: 'application/x-www-form-urlencoded', data: 'a=b' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a JSON body in a charset other than UTF-8',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    raw: { type: 'application/json; charset=latin1', data: '{"name":"x"}' },
    status: 415,
    code: 'unsupported_media_type',
  },
  {
    name: 'a number where a string belongs',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    body: { name: 42 },
    status: 400,
    code: 'validation_failed',
    field: 'body.name',
  },
  {
    name: 'a string where a boolean belongs',
    method: 'patch',
    route: '/api/campaigns/{id}',
    url: (f) => `/api/campaigns/${f.campaignId}`,
    body: { playersCanCreateContent: 'yes' },
    status: 400,
    code: 'validation_failed',
    field: 'body.playersCanCreateContent',
  },
  {
    name: 'a string campaignId',
    method: 'post',
    route: '/api/characters',
    url: () => '/api/characters',
    body: { campaignId: '1', name: 'A' },
    status: 400,
    code: 'validation_failed',
    field: 'body.campaignId',
  },
  {
    name: 'a body campaignId beyond 32 bits',
    method: 'post',
    route: '/api/items',
    url: () => '/api/items',
    body: { campaignId: 3_000_000_000, name: 'A' },
    status: 400,
    code: 'validation_failed',
    field: 'body.campaignId',
  },
  {
    name: 'a username too long to invite',
    method: 'post',
    route: '/api/campaigns/{id}/invitations',
    url: () => '/api/campaigns/1/invitations',
    body: { username: long(151), role: 'GM' },
    status: 400,
    code: 'validation_failed',
    field: 'body.username',
  },
  {
    name: 'an unknown role',
    method: 'post',
    route: '/api/campaigns/{id}/invitations',
    url: (f) => `/api/campaigns/${f.campaignId}/invitations`,
    body: { username: 'outsider', role: 'KING' },
    status: 400,
    code: 'validation_failed',
    field: 'body.role',
  },
  {
    name: 'a blank name',
    method: 'post',
    route: '/api/items',
    url: () => '/api/items',
    body: { campaignId: 1, name: '   ' },
    status: 400,
    code: 'validation_failed',
    field: 'body.name',
  },
  {
    name: 'a 101-character character name',
    method: 'post',
    route: '/api/characters',
    url: () => '/api/characters',
    body: { campaignId: 1, name: long(101) },
    status: 400,
    code: 'validation_failed',
    field: 'body.name',
  },
  {
    name: 'a 201-character campaign name',
    method: 'patch',
    route: '/api/campaigns/{id}',
    url: (f) => `/api/campaigns/${f.campaignId}`,
    body: { name: long(201) },
    status: 400,
    code: 'validation_failed',
    field: 'body.name',
  },
  {
    name: 'a 10001-character description',
    method: 'post',
    route: '/api/locations',
    url: () => '/api/locations',
    body: { campaignId: 1, name: 'Keep', description: long(10_001) },
    status: 400,
    code: 'validation_failed',
    field: 'body.description',
  },
  {
    name: 'a 151-character username',
    method: 'post',
    route: '/api/auth/register',
    url: () => '/api/auth/register',
    body: { username: long(151), email: 'a@example.test', password: 'long enough pw' },
    status: 400,
    code: 'validation_failed',
    field: 'body.username',
  },
  {
    name: 'an unknown body field',
    method: 'patch',
    route: '/api/items/{id}',
    url: () => '/api/items/1',
    body: { name: 'A', colour: 'red' },
    status: 400,
    code: 'validation_failed',
    field: 'body.colour',
  },
  {
    name: 'an empty campaign update',
    method: 'patch',
    route: '/api/campaigns/{id}',
    url: (f) => `/api/campaigns/${f.campaignId}`,
    body: {},
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'an empty update',
    method: 'patch',
    route: '/api/characters/{id}',
    url: () => '/api/characters/1',
    body: {},
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a body over 100 kB',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    body: { name: 'Big', description: long(120_000) },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a negative limit',
    method: 'get',
    route: '/api/characters',
    url: () => '/api/characters?limit=-1',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'a zero limit',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?limit=0',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'a limit over 100',
    method: 'get',
    route: '/api/locations',
    url: () => '/api/locations?limit=101',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'a huge limit',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?limit=99999999999999999999',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'a negative offset',
    method: 'get',
    route: '/api/characters',
    url: () => '/api/characters?offset=-5',
    status: 400,
    code: 'validation_failed',
    field: 'query.offset',
  },
  {
    name: 'a huge offset',
    method: 'get',
    route: '/api/characters',
    url: () => '/api/characters?offset=1e12',
    status: 400,
    code: 'validation_failed',
    field: 'query.offset',
  },
  {
    name: 'a fractional limit',
    method: 'get',
    route: '/api/characters',
    url: () => '/api/characters?limit=2.5',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'an unknown sort',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?sort=name',
    status: 400,
    code: 'validation_failed',
    field: 'query.sort',
  },
  {
    name: 'a malformed date filter',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?createdAfter=yesterday',
    status: 400,
    code: 'validation_failed',
    field: 'query.createdAfter',
  },
  {
    name: 'an unknown query parameter',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?colour=red',
    status: 400,
    code: 'validation_failed',
    field: 'query.colour',
  },
  {
    name: 'a repeated query parameter',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?limit=1&limit=2',
    status: 400,
    code: 'validation_failed',
    field: 'query.limit',
  },
  {
    name: 'a non-numeric id',
    method: 'get',
    route: '/api/characters/{id}',
    url: () => '/api/characters/abc',
    status: 400,
    code: 'validation_failed',
    field: 'params.id',
  },
  {
    name: 'an id beyond 32 bits',
    method: 'get',
    route: '/api/campaigns/{id}',
    url: () => '/api/campaigns/2147483648',
    status: 400,
    code: 'validation_failed',
    field: 'params.id',
  },
  {
    name: 'an unknown campaign id',
    method: 'get',
    route: '/api/campaigns/{id}',
    url: () => '/api/campaigns/999999',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown character id',
    method: 'get',
    route: '/api/characters/{id}',
    url: () => '/api/characters/999999',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown item id on update',
    method: 'patch',
    route: '/api/items/{id}',
    url: () => '/api/items/999999',
    body: { name: 'A' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown location id on delete',
    method: 'delete',
    route: '/api/locations/{id}',
    url: () => '/api/locations/999999',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'an unknown member',
    method: 'patch',
    route: '/api/campaigns/{id}/members/{userId}',
    url: (f) => `/api/campaigns/${f.campaignId}/members/999999`,
    body: { role: 'GM' },
    status: 404,
    code: 'not_found',
  },
  {
    name: 'inviting an unknown username',
    method: 'post',
    route: '/api/campaigns/{id}/invitations',
    url: (f) => `/api/campaigns/${f.campaignId}/invitations`,
    body: { username: 'nobody_by_that_name', role: 'PLAYER' },
    status: 404,
    code: 'not_found',
  },
  ...['0x1', '+1', '1e3', '%201', '1%20', '1.0', '-1', '2147483648', '99999999999'].map(
    (id): BadCase => ({
      name: `a path id "${decodeURIComponent(id)}" that is not a plain decimal integer`,
      method: 'delete',
      route: '/api/campaigns/{id}',
      url: () => `/api/campaigns/${id}`,
      status: 400,
      code: 'validation_failed',
      field: 'params.id',
    }),
  ),
  ...['campaignId=0x1', 'createdBy=1e3', 'limit=1e1', 'offset=+5', 'limit=%2010'].map(
    (query): BadCase => ({
      name: `a query "${decodeURIComponent(query)}" that is not a plain decimal`,
      method: 'get',
      route: '/api/items',
      url: () => `/api/items?${query}`,
      status: 400,
      code: 'validation_failed',
      field: `query.${query.split('=')[0]}`,
    }),
  ),
  ...[
    '0000-01-01T00:00:00Z',
    '1899-12-31T23:59:59Z',
    '10000-01-01T00:00:00Z',
    '2025-02-30T00:00:00Z',
  ].map((date): BadCase => ({
    name: `a date ${date} outside the years 1900 to 9999 or the calendar`,
    method: 'get',
    route: '/api/characters',
    url: () => `/api/characters?createdAfter=${encodeURIComponent(date)}`,
    status: 400,
    code: 'validation_failed',
    field: 'query.createdAfter',
  })),
  {
    name: 'U+0000 in a name',
    method: 'post',
    route: '/api/items',
    url: () => '/api/items',
    body: { campaignId: 1, name: 'nul\u0000byte' },
    status: 400,
    code: 'validation_failed',
    field: 'body.name',
  },
  {
    name: 'U+0000 in a search term',
    method: 'get',
    route: '/api/items',
    url: () => '/api/items?q=a%00b',
    status: 400,
    code: 'validation_failed',
    field: 'query.q',
  },
  {
    name: 'a lone surrogate in a description',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    raw: { type: 'application/json', data: '{"name":"x","description":"half \\ud800 pair"}' },
    status: 400,
    code: 'validation_failed',
    field: 'body.description',
  },
  {
    name: 'invalid UTF-8 bytes in the body',
    method: 'post',
    route: '/api/campaigns',
    url: () => '/api/campaigns',
    raw: {
      type: 'application/json',
      data: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]),
    },
    status: 400,
    code: 'validation_failed',
    field: 'body',
  },
  {
    name: 'a list of an unknown campaign',
    method: 'get',
    route: '/api/characters',
    url: () => '/api/characters?campaignId=999999',
    status: 404,
    code: 'not_found',
  },
  {
    name: 'a zero campaignId',
    method: 'post',
    route: '/api/characters',
    url: () => '/api/characters',
    body: { campaignId: 0, name: 'A' },
    status: 400,
    code: 'validation_failed',
    field: 'body.campaignId',
  },
];

describe('Bad input', () => {
  let db: TestDatabase;
  let f: CampaignFixture;
  let doc: { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> };

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
    doc = (await request(f.app).get('/api/openapi.json').expect(200)).body;
  });
  after(async () => {
    await db?.drop();
  });
  afterEach(() => sinon.restore());

  async function fingerprint(): Promise<string> {
    const tables = [
      'users',
      'campaigns',
      'campaign_memberships',
      'characters',
      'items',
      'locations',
    ];
    const parts = await Promise.all(
      tables.map(async (t) =>
        JSON.stringify((await db.sequelize.query(`SELECT * FROM ${t} ORDER BY id`))[0]),
      ),
    );
    return parts.join('\n');
  }

  function send(app: Express, c: BadCase) {
    const req = request(app)[c.method](c.url(f)).set('Authorization', f.owner.auth);
    // Sent as given: superagent would otherwise serialise a Buffer as JSON.
    if (c.raw) {
      return req
        .set('Content-Type', c.raw.type)
        .serialize((data: unknown) => data as string)
        .send(c.raw.data as string);
    }
    return c.body === undefined ? req : req.send(c.body as object);
  }

  for (const c of cases) {
    it(`when a request has ${c.name}, answers ${c.status} ${c.code} and changes nothing`, async () => {
      const before = await fingerprint();
      const res = await send(f.app, c);
      expect(res.status, JSON.stringify(res.body)).to.equal(c.status);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body.error.code).to.equal(c.code);
      expect(res.body.error.message).to.be.a('string').and.not.empty;
      if (c.field) {
        expect((res.body.error.details as Array<{ field: string }>).map((d) => d.field)).to.include(
          c.field,
        );
      }
      expect(
        doc.paths[c.route]?.[c.method]?.responses,
        `${c.method} ${c.route} in the document`,
      ).to.have.property(String(c.status));
      expect(await fingerprint()).to.equal(before);
    });
  }

  it('when a character name is taken in the campaign, answers 409 and keeps the first', async () => {
    const body = { campaignId: f.campaignId, name: 'Twin' };
    await request(f.app)
      .post('/api/characters')
      .set('Authorization', f.owner.auth)
      .send(body)
      .expect(201);
    const res = await request(f.app)
      .post('/api/characters')
      .set('Authorization', f.gm.auth)
      .send(body)
      .expect(409);
    expect(res.body.error.code).to.equal('conflict');
    const [rows] = await db.sequelize.query(
      "SELECT count(*)::int AS n FROM characters WHERE name = 'Twin'",
    );
    expect(rows).to.deep.equal([{ n: 1 }]);
  });

  it('when a username is taken, answers 409 and creates no second user', async () => {
    const res = await request(f.app)
      .post('/api/auth/register')
      .send({
        username: f.player.username,
        email: 'other@example.test',
        password: 'long enough pw',
      })
      .expect(409);
    expect(res.body.error.code).to.equal('conflict');
    const [rows] = await db.sequelize.query(
      'SELECT count(*)::int AS n FROM users WHERE username = $1',
      {
        bind: [f.player.username],
      },
    );
    expect(rows).to.deep.equal([{ n: 1 }]);
  });

  it('when something unexpected fails, answers 500 without internals', async () => {
    sinon
      .stub(CampaignMembership, 'findAll')
      .rejects(new Error('password=hunter2 at db.internal:5432'));
    const res = await request(f.app)
      .get('/api/campaigns')
      .set('Authorization', f.owner.auth)
      .expect(500);
    expect(res.body).to.deep.equal({
      error: { code: 'internal_error', message: 'Something went wrong on our side' },
    });
    expect(JSON.stringify(res.body)).to.not.include('hunter2');
  });
});
