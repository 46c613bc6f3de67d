import { expect } from 'chai';
import request from 'supertest';
import { hashPassword } from '../../../app/auth/password';
import { normalizeUsername } from '../../../app/auth/username';
import { renameUser } from '../../../app/ops/rename-user';
import { createCampaign, signUp, testApp } from '../../support/api-client';
import { useTestDatabase } from '../../support/test-database';

// One username rule (NFKC, then case folding) for register, login,
// invitations, the login limit and the rename command: full-width letters,
// other cases, ligatures and combining sequences all name the same account.

const password = 'correct horse battery';
const FULL_WIDTH_BOB = '\uff22\uff4f\uff42'; // Ｂｏｂ
const FULL_WIDTH_ALICE_UPPER = '\uff21\uff2c\uff29\uff23\uff25'; // ＡＬＩＣＥ
const FI_LIGATURE = '\ufb01'; // ﬁ
const JOSE_COMPOSED = 'Jos\u00e9'; // José, é as one code point
const JOSE_COMBINING_UPPER = 'JOSE\u0301'; // JOSÉ, É as E + combining acute

describe('Usernames are one form everywhere', () => {
  const db = useTestDatabase('latest');

  async function usernames(): Promise<string[]> {
    const [rows] = (await db.current.sequelize.query(
      "SELECT username FROM users WHERE username <> 'system' ORDER BY id",
    )) as [Array<{ username: string }>, unknown];
    return rows.map((r) => r.username);
  }

  it('when full-width, upper-case, ligature and combining forms are normalized, each folds to one form', () => {
    expect(normalizeUsername(FULL_WIDTH_BOB)).to.equal('bob');
    expect(normalizeUsername(FULL_WIDTH_ALICE_UPPER)).to.equal('alice');
    expect(normalizeUsername(`${FI_LIGATURE}ONA`)).to.equal('fiona');
    expect(normalizeUsername(JOSE_COMBINING_UPPER)).to.equal(normalizeUsername(JOSE_COMPOSED));
  });

  it('when a name is registered in full-width letters, it is stored in plain letters and a plain or differently cased form of it is taken (409)', async () => {
    const app = testApp(db.current);
    await request(app)
      .post('/api/auth/register')
      .send({ username: FULL_WIDTH_BOB, email: 'b@example.test', password })
      .expect(201);
    const again = await request(app)
      .post('/api/auth/register')
      .send({ username: 'BOB', email: 'b2@example.test', password });
    expect(again.status).to.equal(409);
    expect(await usernames()).to.deep.equal(['Bob']);
  });

  it('when the owner invites the full-width, upper-case form of a username, the invitation goes to that account (201)', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    const bob = await signUp(app, 'bob');
    const campaignId = await createCampaign(app, owner);
    const res = await request(app)
      .post(`/api/campaigns/${campaignId}/invitations`)
      .set('Authorization', owner.auth)
      .send({ username: '\uff22\uff2f\uff22', role: 'PLAYER' }); // ＢＯＢ
    expect(res.status, res.text).to.equal(201);
    const [rows] = (await db.current.sequelize.query(
      'SELECT user_id FROM campaign_invitations WHERE campaign_id = $1',
      { bind: [campaignId] },
    )) as [Array<{ user_id: number }>, unknown];
    expect(rows.map((r) => r.user_id)).to.deep.equal([bob.id]);
  });

  it('when a ligature form is registered, its plain form logs in and is invited', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    await request(app)
      .post('/api/auth/register')
      .send({ username: `${FI_LIGATURE}ona`, email: 'f@example.test', password })
      .expect(201);
    expect(await usernames()).to.include('fiona');
    await request(app).post('/api/auth/login').send({ username: 'FIONA', password }).expect(200);
    const campaignId = await createCampaign(app, owner);
    await request(app)
      .post(`/api/campaigns/${campaignId}/invitations`)
      .set('Authorization', owner.auth)
      .send({ username: 'Fiona', role: 'PLAYER' })
      .expect(201);
  });

  it('when an older account is named with an accented letter, its combining, upper-case form logs in and is invited', async () => {
    const app = testApp(db.current);
    const owner = await signUp(app, 'owner');
    await db.current.sequelize.query(
      `INSERT INTO users (username, email, password_hash, display_name, is_active, created_at, updated_at)
       VALUES ($1, 'jose@example.test', $2, 'José', true, now(), now())`,
      { bind: [JOSE_COMPOSED, await hashPassword(password, 10)] },
    );
    await request(app)
      .post('/api/auth/login')
      .send({ username: JOSE_COMBINING_UPPER, password })
      .expect(200);
    const campaignId = await createCampaign(app, owner);
    await request(app)
      .post(`/api/campaigns/${campaignId}/invitations`)
      .set('Authorization', owner.auth)
      .send({ username: 'jose\u0301', role: 'PLAYER' })
      .expect(201);
  });

  it('when wrong passwords are sent under 5 forms of one name, the right password in a 6th form answers 429 (one count per account)', async () => {
    const app = testApp(db.current);
    await signUp(app, 'alice');
    for (const form of ['alice', 'ALICE', 'Alice', FULL_WIDTH_ALICE_UPPER, '\uff41lice']) {
      await request(app)
        .post('/api/auth/login')
        .send({ username: form, password: 'wrong one' })
        .expect(401);
    }
    await request(app).post('/api/auth/login').send({ username: 'aLiCe', password }).expect(429);
  });

  it('when an account is renamed to a full-width name, it is stored in plain letters; a rename to another form of a taken name is refused', async () => {
    const app = testApp(db.current);
    await signUp(app, 'alice');
    await signUp(app, 'carol');
    await renameUser(db.current.sequelize, 'alice', '\uff21\uff4c\uff49'); // Ａｌｉ
    expect(await usernames()).to.deep.equal(['Ali', 'carol']);
    let refused: unknown;
    await renameUser(db.current.sequelize, 'Ali', '\uff23\uff21\uff32\uff2f\uff2c').catch(
      (error: unknown) => (refused = error),
    ); // ＣＡＲＯＬ
    expect((refused as Error)?.message).to.match(/is taken/);
    expect(await usernames()).to.deep.equal(['Ali', 'carol']);
  });
});
