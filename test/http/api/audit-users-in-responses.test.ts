import { expect } from 'chai';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { addMember, createCampaign, signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

const USER_KEYS = ['id', 'username', 'displayName'];
const AUDIT_KEYS = ['createdBy', 'modifiedBy', 'createdAt', 'updatedAt'];

describe('Audit users in responses: one definition for every audited resource', () => {
  const db = useTestDatabase('latest');

  it('when content is listed and read, each audit user is exactly { id, username, displayName }, in that order, and the fields keep their order', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const player = await signUp(app, 'player');
    const campaignId = await createCampaign(app, owner);
    await addMember(app, owner, campaignId, player, 'PLAYER');
    const post = (url: string, body: object) =>
      request(app).post(url).set('Authorization', owner.auth).send(body).expect(201);
    const character = await post('/api/characters', {
      campaignId,
      name: 'Lyra',
      playerOwnerId: player.id,
    });
    const item = await post('/api/items', { campaignId, name: 'Rope' });
    const location = await post('/api/locations', { campaignId, name: 'Korvosa' });
    const get = async (url: string) =>
      (await request(app).get(url).set('Authorization', owner.auth).expect(200)).body;

    const characters = [character.body, await get(`/api/characters/${character.body.id}`)];
    characters.push(...(await get('/api/characters')).data);
    for (const body of characters) {
      expect(Object.keys(body)).to.deep.equal([
        'id',
        'campaignId',
        'name',
        'description',
        'gameSystem',
        'playerOwnerId',
        'playerOwner',
        ...AUDIT_KEYS,
      ]);
      expect(Object.keys(body.playerOwner)).to.deep.equal(USER_KEYS);
      expect(body.playerOwner.id).to.equal(player.id);
    }
    const things = [item.body, location.body];
    things.push(await get(`/api/items/${item.body.id}`), ...(await get('/api/items')).data);
    things.push(
      await get(`/api/locations/${location.body.id}`),
      ...(await get('/api/locations')).data,
    );
    for (const body of [...characters, ...things]) {
      expect(Object.keys(body).slice(-4)).to.deep.equal(AUDIT_KEYS);
      expect(body.createdBy).to.deep.equal({
        id: owner.id,
        username: 'owner',
        displayName: 'owner',
      });
      expect(Object.keys(body.createdBy)).to.deep.equal(USER_KEYS);
      expect(Object.keys(body.modifiedBy)).to.deep.equal(USER_KEYS);
    }
  });

  it('when an audit user is deleted, responses show null for them', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const gm = await signUp(app, 'gamemaster');
    const campaignId = await createCampaign(app, owner);
    await addMember(app, owner, campaignId, gm, 'GM');
    const item = (
      await request(app)
        .post('/api/items')
        .set('Authorization', gm.auth)
        .send({ campaignId, name: 'Rope' })
        .expect(201)
    ).body;
    await db.current.sequelize.query('DELETE FROM users WHERE id = :id', {
      replacements: { id: gm.id },
      type: QueryTypes.DELETE,
    });

    const res = await request(app)
      .get(`/api/items/${item.id}`)
      .set('Authorization', owner.auth)
      .expect(200);

    expect(res.body.createdBy).to.equal(null);
    expect(res.body.modifiedBy).to.equal(null);
  });
});
