import { expect } from 'chai';
import pg from 'pg';
import sinon from 'sinon';
import request from 'supertest';
import type { ModelStatic, Model } from 'sequelize';
import { Character, Item, Location } from '../../../models';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { useTestDatabase } from '../../support/test-database';

// A POST or PATCH whose write has committed answers with what it wrote, even
// when a DELETE of the same row commits an instant later. The answer's read
// is where such a DELETE could get in: this test makes one try, from another
// session, right before that read (a read made with the row's audit users,
// as every answer is).

const KINDS: Array<{
  collection: string;
  model: ModelStatic<Model>;
  body: (f: CampaignFixture) => Record<string, unknown>;
}> = [
  { collection: 'items', model: Item, body: () => ({}) },
  { collection: 'locations', model: Location, body: () => ({}) },
  { collection: 'characters', model: Character, body: (f) => ({ playerOwnerId: f.player.id }) },
];

describe('Answers of writes a DELETE follows at once', () => {
  const db = useTestDatabase('latest');
  let f: CampaignFixture;
  let other: pg.Client;

  beforeEach(async () => {
    f = await campaignFixture(db.current);
    other = new pg.Client({ connectionString: db.current.directUrl });
    // The database is dropped (its sessions ended) after each test.
    other.on('error', () => undefined);
    await other.connect();
    await other.query(`SET lock_timeout = '300ms'`);
  });
  afterEach(async () => {
    sinon.restore();
    await other.end().catch(() => undefined);
  });

  /** Before the next read of a row of `table` with its audit users, another session deletes it. */
  function deleteBeforeTheAnswer(model: ModelStatic<Model>, table: string) {
    const original = model.findByPk.bind(model);
    const attempts: string[] = [];
    sinon.stub(model, 'findByPk').callsFake(async (id, options) => {
      if (options?.include && attempts.length === 0) {
        const outcome = await other
          .query(`DELETE FROM ${table} WHERE id = $1`, [id])
          .then((r) => `deleted ${r.rowCount}`)
          .catch((error: Error) => error.message);
        attempts.push(outcome);
      }
      return original(id, options);
    });
    return attempts;
  }

  const rowOf = async (table: string, id: number) => {
    const { rows } = await other.query(`SELECT name FROM ${table} WHERE id = $1`, [id]);
    return rows[0] as { name: string } | undefined;
  };

  for (const { collection, model, body } of KINDS) {
    it(`when a DELETE of the ${collection} row tries to commit between a PATCH's write and its answer, the PATCH answers 200 with its change`, async () => {
      const created = await request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name: 'Before', ...body(f) })
        .expect(201);
      const id = created.body.id as number;
      const attempts = deleteBeforeTheAnswer(model, collection);

      const res = await request(f.app)
        .patch(`/api/${collection}/${id}`)
        .set('Authorization', f.owner.auth)
        .send({ name: 'After' });

      expect(attempts, 'a DELETE was tried before the answer').to.have.length(1);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.name).to.equal('After');
      // The DELETE could not pass the row lock the answer is read under.
      expect(attempts[0]).to.match(/lock timeout/);
      expect(await rowOf(collection, id)).to.deep.equal({ name: 'After' });
    });

    it(`when a DELETE of the new ${collection} row is tried before a POST's answer, the POST answers 201 with the row, which exists`, async () => {
      const attempts = deleteBeforeTheAnswer(model, collection);

      const res = await request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name: 'Fresh', ...body(f) });

      expect(attempts, 'a DELETE was tried before the answer').to.deep.equal(['deleted 0']);
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      expect(await rowOf(collection, res.body.id as number)).to.deep.equal({ name: 'Fresh' });
    });
  }
});
