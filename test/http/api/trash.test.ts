import { expect } from 'chai';
import request from 'supertest';
import { userOf, WHO, type Who } from '../../support/callers';
import { type CampaignFixture, useFixtureDatabase } from '../../support/campaign-fixture';

// GET /api/campaigns/:id/trash: the deleted characters, items and locations
// a restore can still bring back, newest first, paged like the history.

describe('Recycle bin', () => {
  const fixtureDb = useFixtureDatabase();
  let f: CampaignFixture;
  /** kind:id of every row deleted, in the order deleted. */
  let deleted: string[];

  async function makeAndDelete(collection: string, name: string): Promise<number> {
    const res = await request(f.app)
      .post(`/api/${collection}`)
      .set('Authorization', f.gm.auth)
      .send({ campaignId: f.campaignId, name })
      .expect(201);
    await request(f.app)
      .delete(`/api/${collection}/${res.body.id}`)
      .set('Authorization', f.gm.auth)
      .expect(204);
    return res.body.id;
  }

  const trash = (query = '', who: Who = 'OBSERVER') => {
    const user = userOf(f, who);
    const req = request(f.app).get(`/api/campaigns/${f.campaignId}/trash${query}`);
    return user ? req.set('Authorization', user.auth) : req;
  };

  beforeEach(async () => {
    f = fixtureDb.fixture;
    deleted = [];
    for (const [collection, kind] of [
      ['characters', 'character'],
      ['items', 'item'],
      ['locations', 'location'],
      ['items', 'item'],
    ] as const) {
      const id = await makeAndDelete(collection, `${kind} ${deleted.length}`);
      deleted.push(`${kind}:${id}`);
    }
  });

  it('when a member reads it, lists every deleted row newest first with its name and who deleted it', async () => {
    const res = await trash().expect(200);
    expect(
      res.body.data.map((r: { kind: string; id: number }) => `${r.kind}:${r.id}`),
    ).to.deep.equal([...deleted].reverse());
    expect(res.body.data[0]).to.deep.include({
      name: 'item 3',
      deletedBy: { id: f.gm.id, username: f.gm.username, displayName: f.gm.username },
    });
    expect(res.body.data[0].deletedAt).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(res.body.page).to.deep.equal({ nextCursor: null });
  });

  it('when a row was restored since, it is no longer listed; deleted again, it is listed once', async () => {
    const [kind, id] = deleted[1]!.split(':') as [string, string];
    expect(kind).to.equal('item');
    await request(f.app)
      .post(`/api/items/${id}/restore`)
      .set('Authorization', f.gm.auth)
      .expect(201);
    let res = await trash('?kind=item').expect(200);
    expect(res.body.data.map((r: { id: number }) => r.id)).to.not.include(Number(id));
    await request(f.app).delete(`/api/items/${id}`).set('Authorization', f.gm.auth).expect(204);
    res = await trash('?kind=item').expect(200);
    expect(res.body.data.map((r: { id: number }) => r.id)).to.deep.equal([
      Number(id),
      Number(deleted[3]!.split(':')[1]),
    ]);
  });

  it('when filtered by kind and paged by one, the pages follow each other through nextCursor and end with null', async () => {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await trash(
        `?kind=item&limit=1${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(200);
      expect(res.body.data).to.have.length(1);
      ids.push(res.body.data[0].id);
      cursor = res.body.page.nextCursor;
    } while (cursor);
    expect(ids).to.deep.equal(
      deleted
        .filter((d) => d.startsWith('item:'))
        .reverse()
        .map((d) => Number(d.split(':')[1])),
    );
  });

  it('when given a cursor of another list (another kind), answers 400 naming query.cursor', async () => {
    const first = await trash('?kind=item&limit=1').expect(200);
    const res = await trash(`?limit=1&cursor=${first.body.page.nextCursor}`).expect(400);
    expect(res.body.error.details[0].field).to.equal('query.cursor');
  });

  it('when limit is out of 1-100 or kind unknown, answers 400 naming the field', async () => {
    for (const [query, field] of [
      ['?limit=0', 'query.limit'],
      ['?limit=101', 'query.limit'],
      ['?kind=campaign', 'query.kind'],
    ]) {
      const res = await trash(query).expect(400);
      expect(res.body.error.details[0].field, query).to.equal(field);
    }
  });

  const EXPECTED: Record<Who, number> = {
    OWNER: 200,
    GM: 200,
    PLAYER: 200,
    OBSERVER: 200,
    'non-member': 404,
    anonymous: 401,
  };
  for (const who of WHO) {
    it(`when the caller is ${who}, answers ${EXPECTED[who]}`, async () => {
      const res = await trash('', who);
      expect(res.status).to.equal(EXPECTED[who]);
      if (res.status === 200) expect(res.body.data).to.have.length(deleted.length);
      else expect(res.body.data).to.equal(undefined);
    });
  }
});
