import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import type { TestUser } from '../../support/api-client';
import { userOf, WHO, type Who } from '../../support/callers';
import { type CampaignFixture, useFixtureDatabase } from '../../support/campaign-fixture';
import { type TestDatabase } from '../../support/test-database';

// POST /api/{characters|items|locations}/:id/restore: who may delete a row
// may restore it; it comes back with its id and the values it had, its
// creator kept, modified by the restorer, recorded as a `restore`.

type Row = Record<string, unknown>;

async function rowOf(sequelize: Sequelize, table: string, id: number): Promise<Row | undefined> {
  const [row] = await sequelize.query<Row>(
    `SELECT id, name, description, campaign_id, created_by, modified_by, created_at::text AS created_at,
            ${table === 'characters' ? 'player_owner_id' : 'NULL AS player_owner_id'}
       FROM ${table} WHERE id = $1`,
    { bind: [id], type: QueryTypes.SELECT },
  );
  return row;
}

async function entriesOf(sequelize: Sequelize, table: string, id: number): Promise<Row[]> {
  return sequelize.query<Row>(
    `SELECT id::text AS id, action, actor_id, source, changes FROM history_entries
      WHERE table_name = $1 AND row_id = $2 ORDER BY at, id`,
    { bind: [table, id], type: QueryTypes.SELECT },
  );
}

async function create(f: CampaignFixture, collection: string, by: TestUser, body: Row = {}) {
  const res = await request(f.app)
    .post(`/api/${collection}`)
    .set('Authorization', by.auth)
    .send({ campaignId: f.campaignId, name: `A ${collection}`, ...body })
    .expect(201);
  return res.body.id as number;
}

async function remove(f: CampaignFixture, collection: string, id: number, by: TestUser) {
  await request(f.app).delete(`/api/${collection}/${id}`).set('Authorization', by.auth).expect(204);
}

function restore(f: CampaignFixture, collection: string, id: number, by: TestUser | undefined) {
  const req = request(f.app).post(`/api/${collection}/${id}/restore`);
  return by ? req.set('Authorization', by.auth) : req;
}

describe('Restore of deleted rows', () => {
  const fixtureDb = useFixtureDatabase();
  let db: TestDatabase;
  let f: CampaignFixture;

  beforeEach(async () => {
    db = fixtureDb.current;
    f = fixtureDb.fixture;
  });

  describe('who may restore (the DELETE rule, by the campaign as it is now)', () => {
    const ITEM: Record<Who, number> = {
      OWNER: 201,
      GM: 201,
      PLAYER: 403,
      OBSERVER: 403,
      'non-member': 404,
      anonymous: 401,
    };
    for (const collection of ['items', 'locations']) {
      it(`when each caller restores a deleted one of the ${collection}, OWNER and GM get 201, PLAYER and OBSERVER 403, an outsider 404, anonymous 401, and only a 201 brings it back`, async () => {
        const table = collection;
        for (const who of WHO) {
          const id = await create(f, collection, f.gm);
          await remove(f, collection, id, f.gm);
          const res = await restore(f, collection, id, userOf(f, who));
          expect(res.status, `${who}: ${JSON.stringify(res.body)}`).to.equal(ITEM[who]);
          const row = await rowOf(db.sequelize, table, id);
          if (ITEM[who] === 201) expect(row, who).to.not.equal(undefined);
          else expect(row, who).to.equal(undefined);
        }
      });
    }

    const CHARACTER: Array<[string, (f: CampaignFixture) => TestUser | undefined, number]> = [
      ['the OWNER', (x) => x.owner, 201],
      ['a GM', (x) => x.gm, 201],
      ['the PLAYER who owns it', (x) => x.player, 201],
      ['another PLAYER', (x) => x.otherPlayer, 403],
      ['an OBSERVER', (x) => x.observer, 403],
      ['a non-member', (x) => x.outsider, 404],
      ['anonymous', () => undefined, 401],
    ];
    for (const [name, caller, status] of CHARACTER) {
      it(`when ${name} restores a player's deleted character, answers ${status}`, async () => {
        const id = await create(f, 'characters', f.player);
        await remove(f, 'characters', id, f.player);
        const res = await restore(f, 'characters', id, caller(f));
        expect(res.status, JSON.stringify(res.body)).to.equal(status);
        const row = await rowOf(db.sequelize, 'characters', id);
        if (status === 201) expect(row?.player_owner_id).to.equal(f.player.id);
        else expect(row).to.equal(undefined);
        if (status === 404)
          expect(res.body.error.details).to.deep.equal({ reason: 'history_pruned' });
      });
    }
  });

  it('when a PLAYER restores their deleted character, it comes back with its id and values, its creator kept, modified by them, and the history records a restore', async () => {
    const id = await create(f, 'characters', f.gm, {
      description: 'brave',
      playerOwnerId: f.player.id,
    });
    const before = await rowOf(db.sequelize, 'characters', id);
    const [sequence] = await db.sequelize.query<{ last_value: string }>(
      'SELECT last_value FROM characters_id_seq',
      { type: QueryTypes.SELECT },
    );
    await remove(f, 'characters', id, f.player);

    const res = await restore(f, 'characters', id, f.player).expect(201);

    expect(res.body).to.include({ id, name: 'A characters', description: 'brave' });
    expect(res.body.createdBy.id).to.equal(f.gm.id);
    expect(res.body.modifiedBy.id).to.equal(f.player.id);
    expect(res.body.ownerReassigned).to.equal(null);
    expect(res.headers.etag).to.match(/^"[A-Za-z0-9_-]+"$/);
    const got = await request(f.app)
      .get(`/api/characters/${id}`)
      .set('Authorization', f.player.auth)
      .expect(200);
    expect(got.headers.etag, 'the ETag is the resource as GET shows it').to.equal(res.headers.etag);
    const after = await rowOf(db.sequelize, 'characters', id);
    expect(after).to.deep.equal({ ...before, modified_by: f.player.id });
    const entries = await entriesOf(db.sequelize, 'characters', id);
    expect(entries.map((e) => e.action)).to.deep.equal(['create', 'delete', 'restore']);
    const restored = entries[2]!;
    expect(restored).to.include({ actor_id: f.player.id, source: 'http' });
    expect((restored.changes as Record<string, { from: unknown; to: unknown }>).name).to.deep.equal(
      { from: null, to: 'A characters' },
    );
    const [sequenceAfter] = await db.sequelize.query<{ last_value: string }>(
      'SELECT last_value FROM characters_id_seq',
      { type: QueryTypes.SELECT },
    );
    expect(sequenceAfter, 'the id sequence is not drawn from').to.deep.equal(sequence);
    const next = await create(f, 'characters', f.gm, { name: 'Next', playerOwnerId: f.gm.id });
    expect(next).to.equal(Number(sequence!.last_value) + 1);
  });

  it('when the row exists, answers 409 and changes nothing', async () => {
    const id = await create(f, 'items', f.gm);
    const before = await entriesOf(db.sequelize, 'items', id);
    const res = await restore(f, 'items', id, f.gm).expect(409);
    expect(res.body.error.code).to.equal('conflict');
    expect(await entriesOf(db.sequelize, 'items', id)).to.deep.equal(before);
  });

  it("when the row's campaign was deleted, answers 404 with reason campaign_deleted", async () => {
    const id = await create(f, 'items', f.gm);
    await remove(f, 'items', id, f.gm);
    await request(f.app)
      .delete(`/api/campaigns/${f.campaignId}`)
      .set('Authorization', f.owner.auth)
      .expect(204);
    const res = await restore(f, 'items', id, f.gm).expect(404);
    expect(res.body.error.details).to.deep.equal({ reason: 'campaign_deleted' });
    expect(await rowOf(db.sequelize, 'items', id)).to.equal(undefined);
  });

  it('when the delete entry is no longer kept (history pruned), answers 404 with reason history_pruned and changes nothing', async () => {
    const id = await create(f, 'locations', f.gm);
    await remove(f, 'locations', id, f.gm);
    // What db:history-prune leaves of an old row: no entry of it.
    await db.sequelize.query(
      "DELETE FROM history_entries WHERE table_name = 'locations' AND row_id = $1",
      { bind: [id] },
    );
    const res = await restore(f, 'locations', id, f.gm).expect(404);
    expect(res.body.error.details).to.deep.equal({ reason: 'history_pruned' });
    expect(await rowOf(db.sequelize, 'locations', id)).to.equal(undefined);
  });

  it('when the player who owned a character left the campaign, a GM restores it as theirs and the response says so; the PLAYER cannot', async () => {
    const id = await create(f, 'characters', f.otherPlayer);
    await remove(f, 'characters', id, f.gm);
    await request(f.app)
      .delete(`/api/campaigns/${f.campaignId}/members/${f.otherPlayer.id}`)
      .set('Authorization', f.otherPlayer.auth)
      .expect(204);
    await restore(f, 'characters', id, f.player).expect(403);
    const res = await restore(f, 'characters', id, f.gm).expect(201);
    expect(res.body.playerOwnerId).to.equal(f.gm.id);
    expect(res.body.ownerReassigned).to.deep.equal({ previousPlayerOwnerId: f.otherPlayer.id });
    expect((await rowOf(db.sequelize, 'characters', id))?.player_owner_id).to.equal(f.gm.id);
  });

  it('when a row is renamed and then deleted, the restore brings back the renamed values', async () => {
    const id = await create(f, 'items', f.gm);
    await request(f.app)
      .patch(`/api/items/${id}`)
      .set('Authorization', f.owner.auth)
      .send({ name: 'Renamed' })
      .expect(200);
    await remove(f, 'items', id, f.gm);
    const res = await restore(f, 'items', id, f.owner).expect(201);
    expect(res.body.name).to.equal('Renamed');
    expect((await rowOf(db.sequelize, 'items', id))?.name).to.equal('Renamed');
  });

  it('when two restores of one row race, exactly one answers 201 and the other 409, with one restore entry', async () => {
    const id = await create(f, 'items', f.gm);
    await remove(f, 'items', id, f.gm);
    const answers = await Promise.all([
      restore(f, 'items', id, f.gm),
      restore(f, 'items', id, f.owner),
    ]);
    expect(answers.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    const entries = await entriesOf(db.sequelize, 'items', id);
    expect(entries.filter((e) => e.action === 'restore')).to.have.length(1);
  });

  it('when a rename races the delete, the restore brings back exactly what the delete entry holds, the rename included when it won', async () => {
    for (let round = 0; round < 3; round++) {
      const id = await create(f, 'items', f.gm, { name: `Race ${round}` });
      const [renamed] = await Promise.all([
        request(f.app)
          .patch(`/api/items/${id}`)
          .set('Authorization', f.owner.auth)
          .send({ name: `Renamed ${round}` }),
        request(f.app).delete(`/api/items/${id}`).set('Authorization', f.gm.auth).expect(204),
      ]);
      expect([200, 404]).to.include(renamed.status);
      const res = await restore(f, 'items', id, f.gm).expect(201);
      const [deleted] = await db.sequelize.query<{ name: string }>(
        `SELECT changes -> 'name' ->> 'from' AS name FROM history_entries
          WHERE table_name = 'items' AND row_id = $1 AND action = 'delete'`,
        { bind: [id], type: QueryTypes.SELECT },
      );
      expect(res.body.name).to.equal(deleted!.name);
      expect(res.body.name).to.equal(renamed.status === 200 ? `Renamed ${round}` : `Race ${round}`);
      expect((await rowOf(db.sequelize, 'items', id))?.name).to.equal(res.body.name);
    }
  });
});
