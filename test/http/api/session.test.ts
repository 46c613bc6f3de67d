import { expect } from 'chai';
import request from 'supertest';
import { addMember, createCampaign, signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';
import { describeEachConnection } from '../../support/connections';

describeEachConnection('A whole session over HTTP', (via) => {
  const db = useTestDatabase('latest', via);

  async function rows(table: string) {
    const [result] = await db.current.sequelize.query(
      `SELECT name, created_by, modified_by FROM ${table} ORDER BY id`,
    );
    return result;
  }

  it('when two users register, share a campaign and each create and edit content, the database records who created and last changed every row', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const as = (user: typeof alice) => ({
      post: (url: string, body: object) =>
        request(app).post(url).set('Authorization', user.auth).send(body),
      patch: (url: string, body: object) =>
        request(app).patch(url).set('Authorization', user.auth).send(body),
    });

    const campaignId = await createCampaign(app, alice, { name: 'Curse of the Crimson Throne' });
    await addMember(app, alice, campaignId, bob, 'PLAYER');
    await as(alice)
      .patch(`/api/campaigns/${campaignId}`, { playersCanCreateContent: true })
      .expect(200);

    // Alice (OWNER) creates a character, an item and a location.
    const npc = (
      await as(alice).post('/api/characters', { campaignId, name: 'Gaedren' }).expect(201)
    ).body;
    const crown = (await as(alice).post('/api/items', { campaignId, name: 'Crown' }).expect(201))
      .body;
    const korvosa = (
      await as(alice).post('/api/locations', { campaignId, name: 'Korvosa' }).expect(201)
    ).body;
    // Bob (PLAYER) creates his character and, since the campaign allows it, an item.
    const hero = (await as(bob).post('/api/characters', { campaignId, name: 'Rolth' }).expect(201))
      .body;
    const rope = (await as(bob).post('/api/items', { campaignId, name: 'Rope' }).expect(201)).body;

    expect(hero.createdBy).to.deep.equal({ id: bob.id, username: 'bob', displayName: 'bob' });
    expect(hero.modifiedBy).to.deep.equal({ id: bob.id, username: 'bob', displayName: 'bob' });
    expect(hero.playerOwner).to.deep.equal({ id: bob.id, username: 'bob', displayName: 'bob' });

    // Edits cross over: the OWNER edits Bob's things, Bob edits his own.
    const edited = await as(alice)
      .patch(`/api/characters/${hero.id}`, { description: 'A cleric' })
      .expect(200);
    expect(edited.body.createdBy.id).to.equal(bob.id);
    expect(edited.body.modifiedBy.id).to.equal(alice.id);
    await as(alice).patch(`/api/items/${rope.id}`, { name: 'Silk rope' }).expect(200);
    await as(bob).patch(`/api/characters/${hero.id}`, { name: 'Rolth the Bold' }).expect(200);
    await as(alice).patch(`/api/locations/${korvosa.id}`, { description: 'A city' }).expect(200);
    // Bob may not edit Alice's NPC or her crown: refused, and nothing is stamped.
    await as(bob).patch(`/api/characters/${npc.id}`, { name: 'Mine now' }).expect(403);
    await as(bob).patch(`/api/items/${crown.id}`, { name: 'Mine now' }).expect(403);

    expect(await rows('characters')).to.deep.equal([
      { name: 'Gaedren', created_by: alice.id, modified_by: alice.id },
      { name: 'Rolth the Bold', created_by: bob.id, modified_by: bob.id },
    ]);
    expect(await rows('items')).to.deep.equal([
      { name: 'Crown', created_by: alice.id, modified_by: alice.id },
      { name: 'Silk rope', created_by: bob.id, modified_by: alice.id },
    ]);
    expect(await rows('locations')).to.deep.equal([
      { name: 'Korvosa', created_by: alice.id, modified_by: alice.id },
    ]);

    // Lists embed the same users, and filter by them.
    const byBob = await request(app)
      .get(`/api/items?campaignId=${campaignId}&createdBy=${bob.id}`)
      .set('Authorization', alice.auth)
      .expect(200);
    expect(byBob.body.data.map((i: { name: string }) => i.name)).to.deep.equal(['Silk rope']);
    expect(byBob.body.data[0].modifiedBy).to.deep.equal({
      id: alice.id,
      username: 'alice',
      displayName: 'alice',
    });

    // After logging out, Bob's token no longer writes anything.
    await request(app).post('/api/auth/logout').set('Authorization', bob.auth).expect(204);
    await as(bob).post('/api/items', { campaignId, name: 'Ghost' }).expect(401);
    expect(await rows('items')).to.have.length(2);
  });

  it('when a list of 30 rows is read, the rows and their audit users come from one query', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const campaignId = await createCampaign(app, alice);
    for (let i = 0; i < 30; i += 1) {
      await request(app)
        .post('/api/items')
        .set('Authorization', alice.auth)
        .send({ campaignId, name: `Item ${i}` })
        .expect(201);
    }
    const queries: string[] = [];
    const options = (db.current.sequelize as unknown as { options: { logging: unknown } }).options;
    options.logging = (sql: string) => {
      queries.push(sql);
    };
    const res = await request(app)
      .get(`/api/items?campaignId=${campaignId}&limit=30`)
      .set('Authorization', alice.auth)
      .expect(200);
    options.logging = false;
    expect(res.body.data).to.have.length(30);
    expect(
      res.body.data.every((i: { createdBy: { id: number } }) => i.createdBy.id === alice.id),
    ).to.equal(true);
    expect(queries.filter((q) => /FROM "items"/.test(q))).to.have.length(1);
    expect(queries.filter((q) => /FROM "users" AS "User"/.test(q))).to.deep.equal([]);
  });

  it('when the user who wrote a row is deleted, the row stays and shows that user as null', async () => {
    const app = testApp(db.current);
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const campaignId = await createCampaign(app, alice);
    await addMember(app, alice, campaignId, bob, 'GM');
    const item = await request(app)
      .post('/api/items')
      .set('Authorization', bob.auth)
      .send({ campaignId, name: 'Lantern' })
      .expect(201);
    await db.current.sequelize.query('DELETE FROM users WHERE id = $1', { bind: [bob.id] });
    const res = await request(app)
      .get(`/api/items/${item.body.id}`)
      .set('Authorization', alice.auth)
      .expect(200);
    expect(res.body).to.include({ name: 'Lantern', createdBy: null, modifiedBy: null });
  });
});
