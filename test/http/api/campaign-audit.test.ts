import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { addMember, createCampaign, signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

describe('Campaigns carry who created and last changed them', () => {
  const db = useTestDatabase('latest');

  async function auditColumns(id: number) {
    const [row] = await db.current.sequelize.query<{
      created_by: number | null;
      modified_by: number | null;
    }>('SELECT created_by, modified_by FROM campaigns WHERE id = :id', {
      type: QueryTypes.SELECT,
      replacements: { id },
    });
    return row;
  }

  it('when an owner creates a campaign and a GM renames it, the responses and the row name each of them', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const gm = await signUp(app, 'gamemaster');
    const id = await createCampaign(app, owner);
    await addMember(app, owner, id, gm, 'GM');

    const shown = await request(app).get(`/api/campaigns/${id}`).set('Authorization', gm.auth);
    expect(shown.status).to.equal(200);
    const ownerSummary = { id: owner.id, username: 'owner', displayName: 'owner' };
    expect(shown.body.createdBy).to.deep.equal(ownerSummary);
    expect(shown.body.modifiedBy).to.deep.equal(ownerSummary);

    const renamed = await request(app)
      .patch(`/api/campaigns/${id}`)
      .set('Authorization', gm.auth)
      .send({ name: 'The Found Mine' });
    expect(renamed.status).to.equal(200);
    expect(renamed.body.createdBy).to.deep.equal(ownerSummary);
    expect(renamed.body.modifiedBy).to.deep.equal({
      id: gm.id,
      username: 'gamemaster',
      displayName: 'gamemaster',
    });
    expect(await auditColumns(id)).to.deep.equal({ created_by: owner.id, modified_by: gm.id });

    const listed = await request(app).get('/api/campaigns').set('Authorization', owner.auth);
    expect(listed.body.data[0].modifiedBy.id).to.equal(gm.id);
  });

  it('when a client sends createdBy or modifiedBy for a campaign, answers 400 naming the field and changes nothing', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const other = await signUp(app, 'other');
    const id = await createCampaign(app, owner);

    const created = await request(app)
      .post('/api/campaigns')
      .set('Authorization', owner.auth)
      .send({ name: 'Forged', createdBy: other.id });
    expect(created.status).to.equal(400);
    expect(JSON.stringify(created.body.error.details)).to.include('createdBy');

    const patched = await request(app)
      .patch(`/api/campaigns/${id}`)
      .set('Authorization', owner.auth)
      .send({ modifiedBy: other.id });
    expect(patched.status).to.equal(400);
    expect(JSON.stringify(patched.body.error.details)).to.include('modifiedBy');
    expect(await auditColumns(id)).to.deep.equal({ created_by: owner.id, modified_by: owner.id });
    const [{ n }] = await db.current.sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM campaigns WHERE name = 'Forged'`,
      { type: QueryTypes.SELECT },
    );
    expect(Number(n)).to.equal(0);
  });

  it("when a user is deleted, the campaigns they created stay, with that user's audit references NULL", async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const gm = await signUp(app, 'gamemaster');
    const id = await createCampaign(app, owner);
    await addMember(app, owner, id, gm, 'GM');
    await request(app)
      .patch(`/api/campaigns/${id}`)
      .set('Authorization', gm.auth)
      .send({ description: 'edited' })
      .expect(200);

    await db.current.sequelize.query('DELETE FROM users WHERE id = :id', {
      replacements: { id: gm.id },
    });
    expect(await auditColumns(id)).to.deep.equal({ created_by: owner.id, modified_by: null });
  });
});
