import { expect } from 'chai';
import request from 'supertest';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

// Filters, sort and pages of the content lists, on rows whose timestamps and
// writers are known.

describe('Content lists', () => {
  let db: TestDatabase;
  let f: CampaignFixture;
  let otherCampaignId: number;

  before(async () => {
    db = await createTestDatabase('latest');
    f = await campaignFixture(db);
    const post = (user: typeof f.owner, body: object) =>
      request(f.app).post('/api/items').set('Authorization', user.auth).send(body).expect(201);
    // Five items: owner writes 1, 3, 5; the GM 2 and 4; the GM then edits item 1.
    const names = ['Sword', 'Shield', '100% cotton cloak', 'Torch_bundle', 'Lantern'];
    for (const [i, name] of names.entries()) {
      await post(i % 2 === 0 ? f.owner : f.gm, { campaignId: f.campaignId, name });
    }
    await request(f.app)
      .patch('/api/items/1')
      .set('Authorization', f.gm.auth)
      .send({ description: 'sharp' })
      .expect(200);
    // Known, distinct timestamps: item n created on 1 January + n days, updated on 1 January + (10 - n) days.
    await db.sequelize.query(`UPDATE items SET
      created_at = timestamptz '2026-01-01T00:00:00Z' + (id || ' days')::interval,
      updated_at = timestamptz '2026-01-01T00:00:00Z' + ((10 - id) || ' days')::interval`);
    // A campaign of the outsider's, with an item the fixture's users must not see.
    const other = await request(f.app)
      .post('/api/campaigns')
      .set('Authorization', f.outsider.auth)
      .send({ name: 'Elsewhere' })
      .expect(201);
    otherCampaignId = other.body.id;
    await request(f.app)
      .post('/api/items')
      .set('Authorization', f.outsider.auth)
      .send({ campaignId: otherCampaignId, name: 'Secret' })
      .expect(201);
  });
  after(async () => {
    await db?.drop();
  });

  async function names(query: string, user = f.player): Promise<string[]> {
    const res = await request(f.app).get(`/api/items?${query}`).set('Authorization', user.auth);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.data.map((i: { name: string }) => i.name);
  }

  it('when no campaign is given, lists only the campaigns the caller is a member of', async () => {
    expect(await names('')).to.have.members([
      'Sword',
      'Shield',
      '100% cotton cloak',
      'Torch_bundle',
      'Lantern',
    ]);
    expect(await names('', f.outsider)).to.deep.equal(['Secret']);
  });

  it('when filtered by createdBy or modifiedBy, lists that user’s rows', async () => {
    expect(await names(`createdBy=${f.gm.id}&sort=createdAt`)).to.deep.equal([
      'Shield',
      'Torch_bundle',
    ]);
    expect(await names(`modifiedBy=${f.gm.id}&sort=createdAt`)).to.deep.equal([
      'Sword',
      'Shield',
      'Torch_bundle',
    ]);
    expect(
      await names(`createdBy=${f.owner.id}&modifiedBy=${f.owner.id}&sort=createdAt`),
    ).to.deep.equal(['100% cotton cloak', 'Lantern']);
  });

  it('when filtered by time ranges, the lower bound is inclusive and the upper exclusive', async () => {
    expect(await names('createdAfter=2026-01-04T00:00:00Z&sort=createdAt')).to.deep.equal([
      '100% cotton cloak',
      'Torch_bundle',
      'Lantern',
    ]);
    expect(await names('createdBefore=2026-01-04T00:00:00Z&sort=createdAt')).to.deep.equal([
      'Sword',
      'Shield',
    ]);
    expect(
      await names(
        'updatedAfter=2026-01-09T00:00:00Z&updatedBefore=2026-01-10T00:00:00Z&sort=createdAt',
      ),
    ).to.deep.equal(['Shield']);
  });

  it('when searching by name, matches case-insensitively and treats % and _ literally', async () => {
    expect(await names('q=SWO')).to.deep.equal(['Sword']);
    expect(await names('q=%25')).to.deep.equal(['100% cotton cloak']);
    expect(await names('q=_')).to.deep.equal(['Torch_bundle']);
    expect(await names('q=zzz')).to.deep.equal([]);
  });

  it('when sorted by either timestamp in either direction, the order follows it', async () => {
    const all = ['Sword', 'Shield', '100% cotton cloak', 'Torch_bundle', 'Lantern'];
    expect(await names('sort=createdAt')).to.deep.equal(all);
    expect(await names('sort=-createdAt')).to.deep.equal([...all].reverse());
    expect(await names('sort=updatedAt')).to.deep.equal([...all].reverse());
    expect(await names('sort=-updatedAt')).to.deep.equal(all);
    expect(await names('')).to.deep.equal(all); // default: most recently updated first
  });

  it('when paginated, pages do not overlap and the last one says so', async () => {
    const page = (offset: number) =>
      request(f.app)
        .get(`/api/items?sort=createdAt&limit=2&offset=${offset}`)
        .set('Authorization', f.player.auth)
        .expect(200);
    const first = await page(0);
    expect(first.body.page).to.deep.equal({ limit: 2, offset: 0, nextOffset: 2 });
    const second = await page(2);
    const third = await page(4);
    expect(third.body.page).to.deep.equal({ limit: 2, offset: 4, nextOffset: null });
    const seen = [first, second, third].flatMap((r) =>
      r.body.data.map((i: { name: string }) => i.name),
    );
    expect(seen).to.deep.equal(['Sword', 'Shield', '100% cotton cloak', 'Torch_bundle', 'Lantern']);
  });

  it('when filtering characters by player, lists only that player’s characters', async () => {
    for (const [user, name] of [
      [f.player, 'Ayla'],
      [f.otherPlayer, 'Brom'],
    ] as const) {
      await request(f.app)
        .post('/api/characters')
        .set('Authorization', user.auth)
        .send({ campaignId: f.campaignId, name })
        .expect(201);
    }
    const res = await request(f.app)
      .get(`/api/characters?campaignId=${f.campaignId}&playerOwnerId=${f.otherPlayer.id}`)
      .set('Authorization', f.observer.auth)
      .expect(200);
    expect(res.body.data.map((c: { name: string }) => c.name)).to.deep.equal(['Brom']);
  });
});
