import { expect } from 'chai';
import request from 'supertest';
import { userOf, WHO, type Who } from '../../support/callers';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// Who may read the history: every member, whatever the role; a non-member is
// told the row does not exist (404, as for the row itself); no token is 401.

const CALLER: Record<Who, string> = {
  OWNER: 'an OWNER',
  GM: 'a GM',
  PLAYER: 'a PLAYER',
  OBSERVER: 'an OBSERVER',
  'non-member': 'a non-member',
  anonymous: 'anonymous',
};
const EXPECTED: Record<Who, number> = {
  OWNER: 200,
  GM: 200,
  PLAYER: 200,
  OBSERVER: 200,
  'non-member': 404,
  anonymous: 401,
};

describe('History permissions', () => {
  let db: TestDatabase;
  let f: CampaignFixture;
  /** Each endpoint, with the URL of the same endpoint for a row that does not exist. */
  let endpoints: Array<{ name: string; url: string; missing: string }>;

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
    const ids: Record<string, number> = { campaigns: f.campaignId };
    for (const collection of ['characters', 'items', 'locations']) {
      const res = await request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name: `A ${collection}` })
        .expect(201);
      ids[collection] = res.body.id;
    }
    endpoints = [
      ...Object.entries(ids).map(([collection, id]) => ({
        name: `GET /api/${collection}/:id/history`,
        url: `/api/${collection}/${id}/history`,
        missing: `/api/${collection}/999999/history`,
      })),
      {
        name: 'GET /api/campaigns/:id/activity',
        url: `/api/campaigns/${f.campaignId}/activity`,
        missing: '/api/campaigns/999999/activity',
      },
    ];
  });
  after(async () => {
    await db?.drop();
  });

  for (const who of WHO) {
    it(`when the caller is ${CALLER[who]}, every history endpoint answers ${EXPECTED[who]}`, async () => {
      for (const endpoint of endpoints) {
        const user = userOf(f, who);
        const req = request(f.app).get(endpoint.url);
        const res = user ? await req.set('Authorization', user.auth) : await req;
        expect(res.status, `${endpoint.name}: ${JSON.stringify(res.body)}`).to.equal(EXPECTED[who]);
        if (res.status === 200) {
          expect(res.body.data, endpoint.name).to.not.be.empty;
        } else {
          expect(res.body.data, endpoint.name).to.equal(undefined);
        }
        if (who === 'non-member') {
          // Indistinguishable from a row that does not exist, but for the id in the message.
          const missing = await request(f.app)
            .get(endpoint.missing)
            .set('Authorization', user!.auth);
          expect(missing.status).to.equal(404);
          expect(res.body.error.code).to.equal(missing.body.error.code);
          expect(res.body.error.message.replace(/\d+/, 'N')).to.equal(
            missing.body.error.message.replace(/\d+/, 'N'),
          );
        }
      }
    });
  }
});
