import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import type { TestUser } from '../../support/api-client';
import { type CampaignFixture, useFixtureDatabase } from '../../support/campaign-fixture';
import { type TestDatabase } from '../../support/test-database';

// POST /api/{characters|items|locations|campaigns}/:id/history/:entryId/revert:
// the inverse of one update, only while every field it changed still holds
// its `to`; an ordinary update by the caller (PATCH's rule), recorded with
// source `revert` and revertOf.

type Row = Record<string, unknown>;

async function entriesOf(sequelize: Sequelize, table: string, id: number): Promise<Row[]> {
  return sequelize.query<Row>(
    `SELECT id::text AS id, action, actor_id, source, revert_of::text AS revert_of, changes
       FROM history_entries WHERE table_name = $1 AND row_id = $2 ORDER BY at, id`,
    { bind: [table, id], type: QueryTypes.SELECT },
  );
}

async function nameOf(sequelize: Sequelize, table: string, id: number): Promise<unknown> {
  const [row] = await sequelize.query<{ name: string; modified_by: number }>(
    `SELECT name, modified_by FROM ${table} WHERE id = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  return row;
}

describe('Revert of one change', () => {
  const fixtureDb = useFixtureDatabase();
  let db: TestDatabase;
  let f: CampaignFixture;

  beforeEach(async () => {
    db = fixtureDb.current;
    f = fixtureDb.fixture;
  });

  /** A row of `collection` (owned by `owner` for characters), renamed once; the rename's entry id. */
  async function renamed(collection: string, owner: TestUser = f.player) {
    const created =
      collection === 'campaigns'
        ? { body: { id: f.campaignId } }
        : await request(f.app)
            .post(`/api/${collection}`)
            .set('Authorization', (collection === 'characters' ? owner : f.gm).auth)
            .send({ campaignId: f.campaignId, name: 'Before' })
            .expect(201);
    const id = created.body.id as number;
    await request(f.app)
      .patch(`/api/${collection}/${id}`)
      .set('Authorization', f.owner.auth)
      .send({ name: 'After' })
      .expect(200);
    const entries = await entriesOf(db.sequelize, collection, id);
    const before = collection === 'campaigns' ? 'The Lost Mine' : 'Before';
    return { id, entryId: entries[entries.length - 1]!.id as string, before };
  }

  const revert = (collection: string, id: number, entryId: string, by?: TestUser) => {
    const req = request(f.app).post(`/api/${collection}/${id}/history/${entryId}/revert`);
    return by ? req.set('Authorization', by.auth) : req;
  };

  describe("who may revert (PATCH's rule)", () => {
    const MATRIX: Array<[string, string, (f: CampaignFixture) => TestUser | undefined, number]> = [
      ['characters', 'the OWNER', (x) => x.owner, 200],
      ['characters', 'a GM', (x) => x.gm, 200],
      ['characters', 'the PLAYER who owns it', (x) => x.player, 200],
      ['characters', 'another PLAYER', (x) => x.otherPlayer, 403],
      ['characters', 'an OBSERVER', (x) => x.observer, 403],
      ['characters', 'a non-member', (x) => x.outsider, 404],
      ['characters', 'anonymous', () => undefined, 401],
      ...(['items', 'locations', 'campaigns'] as const).flatMap(
        (collection) =>
          [
            [collection, 'the OWNER', (x: CampaignFixture) => x.owner, 200],
            [collection, 'a GM', (x: CampaignFixture) => x.gm, 200],
            [collection, 'a PLAYER', (x: CampaignFixture) => x.player, 403],
            [collection, 'an OBSERVER', (x: CampaignFixture) => x.observer, 403],
            [collection, 'a non-member', (x: CampaignFixture) => x.outsider, 404],
            [collection, 'anonymous', () => undefined, 401],
          ] as Array<[string, string, (f: CampaignFixture) => TestUser | undefined, number]>,
      ),
    ];
    for (const [collection, name, caller, status] of MATRIX) {
      it(`when ${name} reverts a rename of one of the ${collection}, answers ${status}${status === 200 ? ' and the name goes back' : ' and changes nothing'}`, async () => {
        const { id, entryId, before: name } = await renamed(collection);
        const before = await entriesOf(db.sequelize, collection, id);
        const res = await revert(collection, id, entryId, caller(f));
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        const row = (await nameOf(db.sequelize, collection, id)) as { name: string };
        if (status === 200) {
          expect(res.body.name).to.equal(name);
          expect(row.name).to.equal(name);
          expect(res.headers.etag).to.match(/^"[A-Za-z0-9_-]+"$/);
        } else {
          expect(row.name).to.equal('After');
          expect(await entriesOf(db.sequelize, collection, id)).to.deep.equal(before);
        }
      });
    }
  });

  it('when a GM reverts a rename, the write is theirs: modifiedBy, and an entry with source revert and revertOf that the history API shows', async () => {
    const { id, entryId } = await renamed('characters');
    await revert('characters', id, entryId, f.gm).expect(200);
    expect(await nameOf(db.sequelize, 'characters', id)).to.deep.equal({
      name: 'Before',
      modified_by: f.gm.id,
    });
    const last = (await entriesOf(db.sequelize, 'characters', id)).pop()!;
    expect(last).to.deep.include({
      action: 'update',
      actor_id: f.gm.id,
      source: 'revert',
      revert_of: entryId,
      changes: { name: { from: 'After', to: 'Before' } },
    });
    const history = await request(f.app)
      .get(`/api/characters/${id}/history`)
      .set('Authorization', f.observer.auth)
      .expect(200);
    expect(history.body.data[0]).to.deep.include({
      id: last.id,
      source: 'revert',
      revertOf: entryId,
    });
    expect(history.body.data[1].revertOf).to.equal(null);
    // The next write of the same kind is an ordinary update again.
    await request(f.app)
      .patch(`/api/characters/${id}`)
      .set('Authorization', f.gm.auth)
      .send({ description: 'later' })
      .expect(200);
    const later = (await entriesOf(db.sequelize, 'characters', id)).pop()!;
    expect(later).to.deep.include({ source: 'http', revert_of: null });
  });

  it('when a field the entry changed was changed again since, answers 409 naming it and changes nothing', async () => {
    const { id, entryId } = await renamed('items');
    await request(f.app)
      .patch(`/api/items/${id}`)
      .set('Authorization', f.gm.auth)
      .send({ name: 'Later' })
      .expect(200);
    const before = await entriesOf(db.sequelize, 'items', id);
    const res = await revert('items', id, entryId, f.gm).expect(409);
    expect(res.body.error.code).to.equal('conflict');
    expect(res.body.error.fields).to.deep.equal(['name']);
    expect((await nameOf(db.sequelize, 'items', id)) as Row).to.include({ name: 'Later' });
    expect(await entriesOf(db.sequelize, 'items', id)).to.deep.equal(before);
  });

  it('when only another field changed since, the revert applies', async () => {
    const { id, entryId } = await renamed('items');
    await request(f.app)
      .patch(`/api/items/${id}`)
      .set('Authorization', f.gm.auth)
      .send({ description: 'other field' })
      .expect(200);
    const res = await revert('items', id, entryId, f.gm).expect(200);
    expect(res.body).to.include({ name: 'Before', description: 'other field' });
  });

  it('when a revert races a PATCH of the same field, they are ordered by the row lock: either the revert applies first or it answers 409', async () => {
    for (let round = 0; round < 3; round++) {
      const { id, entryId } = await renamed('items');
      const [reverted, patched] = await Promise.all([
        revert('items', id, entryId, f.gm),
        request(f.app)
          .patch(`/api/items/${id}`)
          .set('Authorization', f.owner.auth)
          .send({ name: `Patched ${round}` }),
      ]);
      expect(patched.status).to.equal(200);
      expect([200, 409]).to.include(reverted.status);
      const row = (await nameOf(db.sequelize, 'items', id)) as Row;
      // The PATCH always lands; a revert that answered 200 came first and was overwritten.
      expect(row.name).to.equal(`Patched ${round}`);
      const reverts = (await entriesOf(db.sequelize, 'items', id)).filter(
        (e) => e.source === 'revert',
      );
      expect(reverts).to.have.length(reverted.status === 200 ? 1 : 0);
    }
  });

  it('when the entry is a create or a delete, answers 400 pointing to DELETE or restore', async () => {
    const { id } = await renamed('items');
    const [create] = await entriesOf(db.sequelize, 'items', id);
    const res = await revert('items', id, create!.id as string, f.gm).expect(400);
    expect(res.body.error.message).to.match(/DELETE \/api\/<collection>\/\d+/);
    expect(res.body.error.details[0].field).to.equal('params.entryId');

    const other = await request(f.app)
      .post('/api/items')
      .set('Authorization', f.gm.auth)
      .send({ campaignId: f.campaignId, name: 'Gone' })
      .expect(201);
    await request(f.app).delete(`/api/items/${other.body.id}`).set('Authorization', f.gm.auth);
    await request(f.app)
      .post(`/api/items/${other.body.id}/restore`)
      .set('Authorization', f.gm.auth);
    const entries = await entriesOf(db.sequelize, 'items', other.body.id);
    const deleted = entries.find((e) => e.action === 'delete')!;
    const refused = await revert('items', other.body.id, deleted.id as string, f.gm).expect(400);
    expect(refused.body.error.message).to.match(/restore/);
    const restored = entries.find((e) => e.action === 'restore')!;
    await revert('items', other.body.id, restored.id as string, f.gm).expect(400);
  });

  it("when the entry is another row's, answers 404 and changes nothing", async () => {
    const first = await renamed('items');
    const second = await renamed('items');
    const res = await revert('items', second.id, first.entryId, f.gm).expect(404);
    expect(res.body.error.message).to.match(/not in the history/);
    expect((await nameOf(db.sequelize, 'items', first.id)) as Row).to.include({ name: 'After' });
    await revert('items', first.id, '999999999', f.gm).expect(404);
  });

  it('when the entry id is not a number, answers 400 naming params.entryId', async () => {
    const { id } = await renamed('items');
    const res = await revert('items', id, '1e3', f.gm).expect(400);
    expect(res.body.error.details[0].field).to.equal('params.entryId');
  });
});
