import { expect } from 'chai';
import pg from 'pg';
import request from 'supertest';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { createCampaign } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

// The permission check of an edit must see the row as the write will find
// it. The order is set by hand, not left to timing: another transaction
// holds the row, the PATCH is sent and waits, the holder changes who may
// edit the row and commits. Only a check made under the row lock (SELECT
// ... FOR UPDATE) sees that change; a check made before it passes on the
// old row and the write then lands on a row the caller may no longer edit.

describe('An edit waiting on a row another transaction changes', () => {
  const db = useTestDatabase('latest');
  let f: CampaignFixture;
  let holder: pg.Client;

  beforeEach(async () => {
    f = await campaignFixture(db.current);
    holder = new pg.Client({ connectionString: db.current.url });
    // The database is dropped (its sessions ended) after each test.
    holder.on('error', () => undefined);
    await holder.connect();
  });
  afterEach(() => holder.end().catch(() => undefined));

  /** Resolves once some other session waits on a lock (the PATCH, behind the holder). */
  async function untilSomeoneWaits(): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await holder.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      );
      if (rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the PATCH never waited for the held row');
  }

  /** Holds `table` row `id`, sends `patch`, runs `change` in the holder, commits, returns the answer. */
  async function patchBehind(
    table: string,
    id: number,
    patch: () => request.Test,
    change: string,
  ): Promise<request.Response> {
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
    const answer = patch().then((res) => res);
    await untilSomeoneWaits();
    await holder.query(change, [id]);
    await holder.query('COMMIT');
    return answer;
  }

  async function nameOf(table: string, id: number): Promise<string> {
    const [rows] = await db.current.sequelize.query(`SELECT name FROM ${table} WHERE id = $1`, {
      bind: [id],
    });
    return (rows as Array<{ name: string }>)[0]!.name;
  }

  it("when the GM hands a player's character to another player while the player's edit waits, answers 403 and the name stays", async () => {
    const created = await request(f.app)
      .post('/api/characters')
      .set('Authorization', f.player.auth)
      .send({ campaignId: f.campaignId, name: 'Mine' });
    expect(created.status).to.equal(201);
    const id = created.body.id as number;

    const res = await patchBehind(
      'characters',
      id,
      () =>
        request(f.app)
          .patch(`/api/characters/${id}`)
          .set('Authorization', f.player.auth)
          .send({ name: 'Still mine?' }),
      `UPDATE characters SET player_owner_id = ${f.otherPlayer.id} WHERE id = $1`,
    );

    expect(res.status, JSON.stringify(res.body)).to.equal(403);
    expect(await nameOf('characters', id)).to.equal('Mine');
  });

  for (const collection of ['items', 'locations'] as const) {
    it(`when one of the ${collection} moves to a campaign the GM is not in while the GM's edit waits, answers 404 and the name stays`, async () => {
      const created = await request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.gm.auth)
        .send({ campaignId: f.campaignId, name: 'Here' });
      expect(created.status).to.equal(201);
      const id = created.body.id as number;
      const elsewhere = await createCampaign(f.app, f.outsider);

      const res = await patchBehind(
        collection,
        id,
        () =>
          request(f.app)
            .patch(`/api/${collection}/${id}`)
            .set('Authorization', f.gm.auth)
            .send({ name: 'Still here?' }),
        `UPDATE ${collection} SET campaign_id = ${elsewhere} WHERE id = $1`,
      );

      expect(res.status, JSON.stringify(res.body)).to.equal(404);
      expect(await nameOf(collection, id)).to.equal('Here');
    });
  }
});
