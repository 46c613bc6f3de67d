import { expect } from 'chai';
import request from 'supertest';
import { useFixtureDatabase } from '../../support/campaign-fixture';

describe('Campaign members', () => {
  const db = useFixtureDatabase();

  async function roles(campaignId: number) {
    const [rows] = await db.current.sequelize.query(
      `SELECT u.username, m.role FROM campaign_memberships m JOIN users u ON u.id = m.user_id
       WHERE m.campaign_id = $1 ORDER BY m.id`,
      { bind: [campaignId] },
    );
    return rows;
  }

  it('when a campaign is created, its creator is its OWNER and the members list shows every role', async () => {
    const f = db.fixture;
    const res = await request(f.app)
      .get(`/api/campaigns/${f.campaignId}/members`)
      .set('Authorization', f.observer.auth)
      .expect(200);
    expect(
      res.body.data.map((m: { username: string; role: string }) => [m.username, m.role]),
    ).to.deep.equal([
      ['owner', 'OWNER'],
      ['gamemaster', 'GM'],
      ['player', 'PLAYER'],
      ['player2', 'PLAYER'],
      ['observer', 'OBSERVER'],
    ]);
    const campaign = await request(f.app)
      .get(`/api/campaigns/${f.campaignId}`)
      .set('Authorization', f.owner.auth);
    expect(campaign.body).to.include({ ownerId: f.owner.id, role: 'OWNER' });
  });

  it('when the OWNER invites the system user, a deactivated account or an unknown name, answers the same 404 and invites nobody', async () => {
    const f = db.fixture;
    const before = await roles(f.campaignId);
    await db.current.sequelize.query('UPDATE users SET is_active = false WHERE id = :id', {
      replacements: { id: f.outsider.id },
    });
    const bodies = [];
    for (const username of ['system', f.outsider.username, 'nobody_by_that_name']) {
      const res = await request(f.app)
        .post(`/api/campaigns/${f.campaignId}/invitations`)
        .set('Authorization', f.owner.auth)
        .send({ username, role: 'GM' })
        .expect(404);
      bodies.push(res.body.error.message.replace(username, 'NAME'));
    }
    expect(new Set(bodies).size, 'one answer for all three').to.equal(1);
    expect(await roles(f.campaignId)).to.deep.equal(before);
    const [rows] = await db.current.sequelize.query('SELECT id FROM campaign_invitations');
    expect(rows).to.deep.equal([]);
  });

  it('when anyone posts to the members list, answers 405 naming the allowed methods and adds nobody: members join by invitation', async () => {
    const f = db.fixture;
    const before = await roles(f.campaignId);
    const res = await request(f.app)
      .post(`/api/campaigns/${f.campaignId}/members`)
      .set('Authorization', f.owner.auth)
      .send({ userId: f.outsider.id, role: 'PLAYER' })
      .expect(405);
    expect(res.headers.allow).to.equal('GET, HEAD');
    expect(res.body.error.code).to.equal('method_not_allowed');
    expect(await roles(f.campaignId)).to.deep.equal(before);
  });

  it('when the only OWNER tries to leave or step down, answers 409 and the campaign keeps its OWNER', async () => {
    const f = db.fixture;
    const url = `/api/campaigns/${f.campaignId}/members/${f.owner.id}`;
    const leave = await request(f.app).delete(url).set('Authorization', f.owner.auth).expect(409);
    expect(leave.body.error.message).to.match(/at least one OWNER/);
    await request(f.app)
      .patch(url)
      .set('Authorization', f.owner.auth)
      .send({ role: 'GM' })
      .expect(409);
    expect((await roles(f.campaignId))[0]).to.deep.equal({ username: 'owner', role: 'OWNER' });
  });

  it('when a second OWNER exists, the first may step down and the campaign names the other as owner', async () => {
    const f = db.fixture;
    const base = `/api/campaigns/${f.campaignId}/members`;
    await request(f.app)
      .patch(`${base}/${f.gm.id}`)
      .set('Authorization', f.owner.auth)
      .send({ role: 'OWNER' })
      .expect(200);
    await request(f.app)
      .patch(`${base}/${f.owner.id}`)
      .set('Authorization', f.owner.auth)
      .send({ role: 'PLAYER' })
      .expect(200);
    expect((await roles(f.campaignId)).slice(0, 2)).to.deep.equal([
      { username: 'owner', role: 'PLAYER' },
      { username: 'gamemaster', role: 'OWNER' },
    ]);
    const [rows] = await db.current.sequelize.query(
      'SELECT owner_id FROM campaigns WHERE id = $1',
      {
        bind: [f.campaignId],
      },
    );
    expect(rows).to.deep.equal([{ owner_id: f.gm.id }]);
  });

  it('when a GM tries to grant GM or OWNER, or to change another GM, answers 403 and changes nothing', async () => {
    const f = db.fixture;
    const base = `/api/campaigns/${f.campaignId}/members`;
    const before = await roles(f.campaignId);
    await request(f.app)
      .patch(`${base}/${f.player.id}`)
      .set('Authorization', f.gm.auth)
      .send({ role: 'GM' })
      .expect(403);
    await request(f.app)
      .patch(`${base}/${f.owner.id}`)
      .set('Authorization', f.gm.auth)
      .send({ role: 'PLAYER' })
      .expect(403);
    await request(f.app)
      .post(`/api/campaigns/${f.campaignId}/invitations`)
      .set('Authorization', f.gm.auth)
      .send({ username: f.outsider.username, role: 'OWNER' })
      .expect(403);
    await request(f.app)
      .delete(`${base}/${f.owner.id}`)
      .set('Authorization', f.gm.auth)
      .expect(403);
    expect(await roles(f.campaignId)).to.deep.equal(before);
  });

  it('when a member leaves, they are gone and the campaign becomes invisible to them (404)', async () => {
    const f = db.fixture;
    await request(f.app)
      .delete(`/api/campaigns/${f.campaignId}/members/${f.observer.id}`)
      .set('Authorization', f.observer.auth)
      .expect(204);
    await request(f.app)
      .get(`/api/campaigns/${f.campaignId}`)
      .set('Authorization', f.observer.auth)
      .expect(404);
    expect(
      (await roles(f.campaignId)).map((r) => (r as { username: string }).username),
    ).to.not.include('observer');
  });

  it('when a member is invited again, answers 409 and keeps one membership with its role', async () => {
    const f = db.fixture;
    const res = await request(f.app)
      .post(`/api/campaigns/${f.campaignId}/invitations`)
      .set('Authorization', f.owner.auth)
      .send({ username: 'PLAYER', role: 'OBSERVER' })
      .expect(409);
    expect(res.body.error.code).to.equal('conflict');
    expect((await roles(f.campaignId))[2]).to.deep.equal({ username: 'player', role: 'PLAYER' });
  });

  it('when the OWNER deletes the campaign, its members and content go with it', async () => {
    const f = db.fixture;
    await request(f.app)
      .post('/api/items')
      .set('Authorization', f.owner.auth)
      .send({ campaignId: f.campaignId, name: 'Rope' })
      .expect(201);
    await request(f.app)
      .delete(`/api/campaigns/${f.campaignId}`)
      .set('Authorization', f.owner.auth)
      .expect(204);
    const [rows] = await db.current.sequelize.query(
      `SELECT (SELECT count(*) FROM campaigns)::int AS campaigns,
              (SELECT count(*) FROM campaign_memberships)::int AS members,
              (SELECT count(*) FROM items)::int AS items`,
    );
    expect(rows).to.deep.equal([{ campaigns: 0, members: 0, items: 0 }]);
  });
});
