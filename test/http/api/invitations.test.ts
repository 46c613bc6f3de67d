import { expect } from 'chai';
import request from 'supertest';
import { signUp, testApp, type TestUser } from '../../support/api-client';
import { useFixtureDatabase } from '../../support/campaign-fixture';

describe('Membership by invitation', () => {
  const db = useFixtureDatabase();

  async function memberships(campaignId: number) {
    const [rows] = await db.current.sequelize.query(
      `SELECT u.username, m.role FROM campaign_memberships m JOIN users u ON u.id = m.user_id
        WHERE m.campaign_id = $1 ORDER BY m.id`,
      { bind: [campaignId] },
    );
    return rows;
  }

  async function invitationCount(): Promise<number> {
    const [[row]] = (await db.current.sequelize.query(
      'SELECT count(*)::int AS n FROM campaign_invitations',
    )) as [Array<{ n: number }>, unknown];
    return row!.n;
  }

  function invite(app: ReturnType<typeof testApp>, campaignId: number, as: TestUser, body: object) {
    return request(app)
      .post(`/api/campaigns/${campaignId}/invitations`)
      .set('Authorization', as.auth)
      .send(body);
  }

  it('when the OWNER invites an account, it is not a member and sees nothing of the campaign until it accepts; then it is a member with that role', async () => {
    const f = db.fixture;
    const before = await memberships(f.campaignId);
    const created = await invite(f.app, f.campaignId, f.owner, {
      username: 'OUTSIDER',
      role: 'PLAYER',
    }).expect(201);
    expect(created.body).to.include({ username: 'outsider', role: 'PLAYER' });
    expect(created.body.campaign).to.deep.equal({ id: f.campaignId, name: 'The Lost Mine' });
    expect(created.body.invitedBy).to.deep.equal({ username: 'owner', displayName: 'owner' });
    expect(created.body).to.not.have.property('userId');

    expect(await memberships(f.campaignId)).to.deep.equal(before);
    for (const url of [
      `/api/campaigns/${f.campaignId}`,
      `/api/campaigns/${f.campaignId}/members`,
      `/api/items?campaignId=${f.campaignId}`,
    ]) {
      await request(f.app).get(url).set('Authorization', f.outsider.auth).expect(404);
    }
    const campaigns = await request(f.app)
      .get('/api/campaigns')
      .set('Authorization', f.outsider.auth)
      .expect(200);
    expect(campaigns.body.data).to.deep.equal([]);

    const mine = await request(f.app)
      .get('/api/invitations')
      .set('Authorization', f.outsider.auth)
      .expect(200);
    expect(mine.body.data.map((i: { id: number }) => i.id)).to.deep.equal([created.body.id]);

    const accepted = await request(f.app)
      .post(`/api/invitations/${created.body.id}/accept`)
      .set('Authorization', f.outsider.auth)
      .expect(200);
    expect(accepted.body).to.include({ id: f.campaignId, role: 'PLAYER' });
    expect(await memberships(f.campaignId)).to.deep.equal([
      ...before,
      { username: 'outsider', role: 'PLAYER' },
    ]);
    expect(await invitationCount()).to.equal(0);
    await request(f.app)
      .get(`/api/campaigns/${f.campaignId}`)
      .set('Authorization', f.outsider.auth)
      .expect(200);
  });

  it('when anyone but the invitee accepts or declines, answers 404 and the invitation stays pending', async () => {
    const f = db.fixture;
    const { body } = await invite(f.app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'GM',
    }).expect(201);
    for (const other of [f.owner, f.gm, f.player]) {
      for (const action of ['accept', 'decline']) {
        const res = await request(f.app)
          .post(`/api/invitations/${body.id}/${action}`)
          .set('Authorization', other.auth)
          .expect(404);
        expect(res.body.error.code).to.equal('not_found');
      }
    }
    const stranger = await signUp(f.app, 'stranger');
    await request(f.app)
      .post(`/api/invitations/${body.id}/accept`)
      .set('Authorization', stranger.auth)
      .expect(404);
    expect(await invitationCount()).to.equal(1);
    const others = await request(f.app)
      .get('/api/invitations')
      .set('Authorization', f.owner.auth)
      .expect(200);
    expect(others.body.data).to.deep.equal([]);
  });

  it('when the invitee declines, the invitation is gone and nobody joined; a second decline is 404', async () => {
    const f = db.fixture;
    const before = await memberships(f.campaignId);
    const { body } = await invite(f.app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(201);
    const url = `/api/invitations/${body.id}/decline`;
    await request(f.app).post(url).set('Authorization', f.outsider.auth).expect(204);
    await request(f.app).post(url).set('Authorization', f.outsider.auth).expect(404);
    await request(f.app)
      .post(`/api/invitations/${body.id}/accept`)
      .set('Authorization', f.outsider.auth)
      .expect(404);
    expect(await memberships(f.campaignId)).to.deep.equal(before);
    expect(await invitationCount()).to.equal(0);
  });

  it('when a GM invites as GM or OWNER, or a PLAYER invites at all, answers 403 and invites nobody; a GM may invite a PLAYER', async () => {
    const f = db.fixture;
    await invite(f.app, f.campaignId, f.gm, { username: 'outsider', role: 'GM' }).expect(403);
    await invite(f.app, f.campaignId, f.gm, { username: 'outsider', role: 'OWNER' }).expect(403);
    await invite(f.app, f.campaignId, f.player, {
      username: 'outsider',
      role: 'OBSERVER',
    }).expect(403);
    expect(await invitationCount()).to.equal(0);
    await invite(f.app, f.campaignId, f.gm, { username: 'outsider', role: 'PLAYER' }).expect(201);
    expect(await invitationCount()).to.equal(1);
  });

  it('when a non-member invites, answers 404 as for a campaign that does not exist', async () => {
    const f = db.fixture;
    const stranger = await signUp(f.app, 'stranger');
    const res = await invite(f.app, f.campaignId, stranger, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(404);
    expect(res.body.error.message).to.equal(`Campaign ${f.campaignId} not found`);
    expect(await invitationCount()).to.equal(0);
  });

  it('when an invitation is pending, a second one answers 409; once revoked, it cannot be accepted', async () => {
    const f = db.fixture;
    const { body } = await invite(f.app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(201);
    await invite(f.app, f.campaignId, f.owner, { username: 'outsider', role: 'GM' }).expect(409);
    const revoke = `/api/campaigns/${f.campaignId}/invitations/${body.id}`;
    await request(f.app).delete(revoke).set('Authorization', f.player.auth).expect(403);
    await request(f.app).delete(revoke).set('Authorization', f.gm.auth).expect(204);
    await request(f.app).delete(revoke).set('Authorization', f.gm.auth).expect(404);
    await request(f.app)
      .post(`/api/invitations/${body.id}/accept`)
      .set('Authorization', f.outsider.auth)
      .expect(404);
    expect(await invitationCount()).to.equal(0);
  });

  it('when an invitation has expired, it is not listed and cannot be accepted; a new one may be sent', async () => {
    const f = db.fixture;
    const { body } = await invite(f.app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(201);
    const days = (Date.parse(body.expiresAt) - Date.parse(body.createdAt)) / 86_400_000;
    expect(days).to.be.closeTo(14, 0.01);
    await db.current.sequelize.query(
      "UPDATE campaign_invitations SET expires_at = now() - interval '1 second'",
    );
    const mine = await request(f.app)
      .get('/api/invitations')
      .set('Authorization', f.outsider.auth)
      .expect(200);
    expect(mine.body.data).to.deep.equal([]);
    await request(f.app)
      .post(`/api/invitations/${body.id}/accept`)
      .set('Authorization', f.outsider.auth)
      .expect(404);
    const before = await memberships(f.campaignId);
    expect(before.map((m) => (m as { username: string }).username)).to.not.include('outsider');
    await invite(f.app, f.campaignId, f.owner, { username: 'outsider', role: 'PLAYER' }).expect(
      201,
    );
    expect(await invitationCount()).to.equal(1);
  });

  it('when INVITATION_TTL_DAYS=2, a new invitation expires in 2 days', async () => {
    const f = db.fixture;
    const app = testApp(db.current, undefined, { INVITATION_TTL_DAYS: '2' });
    const { body } = await invite(app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(201);
    const days = (Date.parse(body.expiresAt) - Date.parse(body.createdAt)) / 86_400_000;
    expect(days).to.be.closeTo(2, 0.01);
  });

  it('when the invitee accepts twice at once, one accept succeeds and one membership exists', async () => {
    const f = db.fixture;
    const { body } = await invite(f.app, f.campaignId, f.owner, {
      username: 'outsider',
      role: 'PLAYER',
    }).expect(201);
    const results = await Promise.all(
      [1, 2, 3].map(() =>
        request(f.app)
          .post(`/api/invitations/${body.id}/accept`)
          .set('Authorization', f.outsider.auth),
      ),
    );
    expect(results.map((r) => r.status).sort()).to.deep.equal([200, 404, 404]);
    const rows = await memberships(f.campaignId);
    expect(rows.filter((m) => (m as { username: string }).username === 'outsider')).to.have.length(
      1,
    );
  });
});

describe('Account numbers reveal nothing to strangers', () => {
  const db = useFixtureDatabase();

  it('when a member names an existing non-member and a number no account has, every endpoint that takes a user id answers the same', async () => {
    const f = db.fixture;
    const existing = f.outsider.id;
    const missing = 999_999;
    const probes = [
      (id: number) =>
        request(f.app)
          .patch(`/api/campaigns/${f.campaignId}/members/${id}`)
          .set('Authorization', f.owner.auth)
          .send({ role: 'PLAYER' }),
      (id: number) =>
        request(f.app)
          .delete(`/api/campaigns/${f.campaignId}/members/${id}`)
          .set('Authorization', f.owner.auth),
      (id: number) =>
        request(f.app)
          .post('/api/characters')
          .set('Authorization', f.owner.auth)
          .send({ campaignId: f.campaignId, name: `Probe ${id}`, playerOwnerId: id }),
      (id: number) =>
        request(f.app)
          .get(`/api/characters?playerOwnerId=${id}`)
          .set('Authorization', f.owner.auth),
      (id: number) =>
        request(f.app).get(`/api/items?createdBy=${id}`).set('Authorization', f.owner.auth),
    ];
    for (const probe of probes) {
      const [a, b] = [await probe(existing), await probe(missing)];
      const normalise = (res: request.Response) =>
        JSON.stringify({ status: res.status, body: res.body })
          .replaceAll(String(existing), 'ID')
          .replaceAll(String(missing), 'ID');
      expect(normalise(a)).to.equal(normalise(b));
    }
  });
});
