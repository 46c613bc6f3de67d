import { expect } from 'chai';
import request from 'supertest';
import { useFixtureDatabase, type CampaignFixture } from '../../support/campaign-fixture';
import { STRONG_ETAG, TAGGED_KINDS, etagOfText, storedRow } from '../../support/tagged-resources';

// Every single resource carries a strong ETag; GET honours If-None-Match,
// PATCH and DELETE honour If-Match. Each check of the database is a fresh
// query, not the API's own answer.

describe('ETags and conditional requests', () => {
  const db = useFixtureDatabase();
  let f: CampaignFixture;

  beforeEach(() => {
    f = db.fixture;
  });

  const get = (path: string, auth = f.owner.auth) =>
    request(f.app).get(path).set('Authorization', auth);
  const patch = (path: string, body: object, auth = f.owner.auth) =>
    request(f.app).patch(path).set('Authorization', auth).send(body);
  const del = (path: string, auth = f.owner.auth) =>
    request(f.app).delete(path).set('Authorization', auth);

  for (const kind of TAGGED_KINDS) {
    const { collection } = kind;

    describe(`/api/${collection}`, () => {
      let id: number;
      let path: string;
      let created: request.Response;

      beforeEach(async () => {
        created = await kind.create(f, 'Tagged');
        expect(created.status, JSON.stringify(created.body)).to.equal(201);
        id = created.body.id as number;
        path = `/api/${collection}/${id}`;
      });

      it('when one is created, read and changed, each answer carries the strong ETag of its body, the same while nothing changes and a new one after a change', async () => {
        expect(created.headers.etag).to.match(STRONG_ETAG);
        expect(created.headers.etag).to.equal(etagOfText(created.text));

        const read = await get(path).expect(200);
        expect(read.headers.etag).to.equal(etagOfText(read.text));
        expect(read.headers.etag, 'GET after POST').to.equal(created.headers.etag);
        expect((await get(path).expect(200)).headers.etag, 'GET again').to.equal(read.headers.etag);

        const changed = await patch(path, { description: 'changed' }).expect(200);
        expect(changed.headers.etag).to.equal(etagOfText(changed.text));
        expect(changed.headers.etag).to.not.equal(read.headers.etag);
        expect((await get(path).expect(200)).headers.etag, 'GET after PATCH').to.equal(
          changed.headers.etag,
        );
      });

      it('when a GET sends If-None-Match with the current ETag (with Cache-Control: no-cache too), answers 304 with the ETag and no body; with an older one, 200 and the body', async () => {
        const old = created.headers.etag!;
        const current = (await patch(path, { description: 'newer' }).expect(200)).headers.etag!;

        for (const value of [current, `W/${current}`, `"other", ${current}`, '*']) {
          // A cache revalidating its copy may say no-cache too: that is for caches, the
          // server still validates (RFC 9111, section 5.2.1.4) and answers 304.
          const res = await get(path).set('If-None-Match', value).set('Cache-Control', 'no-cache');
          expect(res.status, value).to.equal(304);
          expect(res.text, value).to.equal('');
          expect(res.headers.etag, value).to.equal(current);
        }
        const stale = await get(path).set('If-None-Match', old).expect(200);
        expect(stale.body.description).to.equal('newer');
        expect(stale.headers.etag).to.equal(current);
      });

      it('when a PATCH sends an If-Match that is no longer current, answers 412 and changes nothing', async () => {
        const old = created.headers.etag!;
        await patch(path, { description: 'first' }).expect(200);

        // A weak form of the current ETag does not match either: If-Match compares strongly.
        const current = (await get(path).expect(200)).headers.etag!;
        for (const value of [old, `"other", ${old}`, `W/${current}`]) {
          const res = await patch(path, { name: 'Lost' }).set('If-Match', value);
          expect(res.status, value).to.equal(412);
          expect(res.body.error.code).to.equal('precondition_failed');
        }

        expect(await storedRow(db.current, collection, id)).to.deep.equal({
          name: 'Tagged',
          description: 'first',
        });
      });

      it("when a PATCH sends the current ETag, or a list holding it, or *, it applies as the caller's write (audit fields, history) and answers the new ETag", async () => {
        let etag = created.headers.etag!;
        for (const value of [() => etag, () => `"other", ${etag}`, () => '*']) {
          const sent = value();
          const res = await patch(path, { description: `with ${sent}` }).set('If-Match', sent);
          expect(res.status, sent).to.equal(200);
          expect(res.headers.etag).to.not.equal(etag);
          etag = res.headers.etag!;
          expect((await storedRow(db.current, collection, id))!.description).to.equal(
            `with ${sent}`,
          );
        }
        // Written like any other write: by the caller, and in the history.
        const [[audit]] = (await db.current.sequelize.query(
          `SELECT (SELECT modified_by FROM ${collection} WHERE id = $2) AS "modifiedBy",
                  (SELECT count(*)::int FROM history_entries
                    WHERE table_name = $1 AND row_id = $2 AND action = 'update' AND actor_id = $3)
                    AS updates`,
          { bind: [collection, id, f.owner.id] },
        )) as [Array<{ modifiedBy: number; updates: number }>, unknown];
        expect(audit).to.deep.equal({ modifiedBy: f.owner.id, updates: 3 });
      });

      it('when a DELETE sends an If-Match that is no longer current, answers 412 and the row stays; with the current one it deletes', async () => {
        const old = created.headers.etag!;
        const current = (await patch(path, { description: 'kept' }).expect(200)).headers.etag!;

        const refused = await del(path).set('If-Match', old).expect(412);
        expect(refused.body.error.code).to.equal('precondition_failed');
        expect(await storedRow(db.current, collection, id)).to.deep.equal({
          name: 'Tagged',
          description: 'kept',
        });

        await del(path).set('If-Match', current).expect(204);
        expect(await storedRow(db.current, collection, id)).to.equal(undefined);
      });

      it('when PATCH and DELETE send no If-Match, they apply whatever changed since, as before', async () => {
        await patch(path, { description: 'one' }).expect(200);
        await patch(path, { description: 'two' }).expect(200);
        expect((await storedRow(db.current, collection, id))!.description).to.equal('two');
        await del(path).expect(204);
        expect(await storedRow(db.current, collection, id)).to.equal(undefined);
      });
    });
  }

  it('when If-Match or If-None-Match is not * or a list of entity-tags, answers 400 naming the header and changes nothing', async () => {
    const item = await request(f.app)
      .post('/api/items')
      .set('Authorization', f.owner.auth)
      .send({ campaignId: f.campaignId, name: 'Lamp' })
      .expect(201);
    const path = `/api/items/${item.body.id}`;
    for (const value of ['abc', '"unterminated', `${item.headers.etag}x`, 'W/abc', ',']) {
      const res = await patch(path, { name: 'Changed' }).set('If-Match', value);
      expect(res.status, value).to.equal(400);
      expect(res.body.error.details[0].field).to.equal('headers.If-Match');
    }
    const res = await get(path).set('If-None-Match', 'abc').expect(400);
    expect(res.body.error.details[0].field).to.equal('headers.If-None-Match');
    expect((await storedRow(db.current, 'items', item.body.id))!.name).to.equal('Lamp');
  });

  it('when the caller may not change the row or cannot see it, a stale If-Match still answers 403 or 404, and If-Match: * on a missing row 404', async () => {
    const item = await request(f.app)
      .post('/api/items')
      .set('Authorization', f.owner.auth)
      .send({ campaignId: f.campaignId, name: 'Lamp' })
      .expect(201);
    const path = `/api/items/${item.body.id}`;
    const stale = `"${'A'.repeat(43)}"`;
    await patch(path, { name: 'x' }, f.observer.auth).set('If-Match', stale).expect(403);
    await patch(path, { name: 'x' }, f.outsider.auth).set('If-Match', stale).expect(404);
    await del(path, f.observer.auth).set('If-Match', stale).expect(403);
    await patch('/api/items/2147483647', { name: 'x' }).set('If-Match', '*').expect(404);
    await del('/api/items/2147483647').set('If-Match', '*').expect(404);
  });

  it("when a campaign's ETag is read by two members, each gets the one of the body they see (it holds their role), and each may write with their own", async () => {
    const path = `/api/campaigns/${f.campaignId}`;
    const owner = await get(path, f.owner.auth).expect(200);
    const gm = await get(path, f.gm.auth).expect(200);
    expect(owner.headers.etag).to.not.equal(gm.headers.etag);
    await patch(path, { description: 'by the GM' }, f.gm.auth)
      .set('If-Match', owner.headers.etag!)
      .expect(412);
    await patch(path, { description: 'by the GM' }, f.gm.auth)
      .set('If-Match', gm.headers.etag!)
      .expect(200);
  });

  it('when GET /api/me is read again with If-None-Match, answers 304; registering answered the same ETag', async () => {
    const registered = await request(f.app)
      .post('/api/auth/register')
      .send({ username: 'tagged', email: 'tagged@example.test', password: 'correct horse' })
      .expect(201);
    expect(registered.headers.etag).to.equal(etagOfText(registered.text));
    const login = await request(f.app)
      .post('/api/auth/login')
      .send({ username: 'tagged', password: 'correct horse' })
      .expect(200);
    const me = await get('/api/me', `Bearer ${login.body.token}`).expect(200);
    expect(me.headers.etag).to.equal(registered.headers.etag);
    await get('/api/me', `Bearer ${login.body.token}`)
      .set('If-None-Match', me.headers.etag!)
      .expect(304);
  });
});
