import { expect } from 'chai';
import type { Express } from 'express';
import { QueryTypes, type Sequelize } from 'sequelize';
import request from 'supertest';
import { HISTORY_TABLES } from '../../../app/history/history-spec';
import { captureMigration } from '../../../app/history/history-steps';
import { removeCaptureSql } from '../../../app/history/capture-sql';
import { addMember, signUp, type TestUser } from '../../support/api-client';
import {
  campaignFixture,
  useFixtureDatabase,
  type CampaignFixture,
} from '../../support/campaign-fixture';
import { useTestDatabase } from '../../support/test-database';

// `?asOf=` on single GETs and /api/campaigns/:id/snapshot: rows as they were,
// read back from the history. Times are taken between writes, with a pause
// on each side so that no write shares their millisecond.

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

/** The time now, after every write so far and before any to come. */
async function moment(): Promise<string> {
  await pause();
  const at = new Date().toISOString();
  await pause();
  return at;
}

function get(app: Express, url: string, user?: TestUser) {
  const req = request(app).get(url);
  return user ? req.set('Authorization', user.auth) : req;
}

async function body(app: Express, url: string, user: TestUser) {
  const res = await get(app, url, user);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body as Record<string, unknown>;
}

async function create(f: CampaignFixture, path: string, fields: object, user = f.gm) {
  const res = await request(f.app)
    .post(`/api/${path}`)
    .set('Authorization', user.auth)
    .send({ campaignId: f.campaignId, ...fields })
    .expect(201);
  return res.body.id as number;
}

function patch(f: CampaignFixture, path: string, fields: object, user = f.gm) {
  return request(f.app)
    .patch(`/api/${path}`)
    .set('Authorization', user.auth)
    .send(fields)
    .expect(200);
}

function remove(f: CampaignFixture, path: string, user = f.gm) {
  return request(f.app).delete(`/api/${path}`).set('Authorization', user.auth).expect(204);
}

/** The oldest entry's time, to the microsecond, as UTC ISO 8601, by a fresh query. */
async function oldestEntryAt(sequelize: Sequelize): Promise<string> {
  const [row] = await sequelize.query<{ at: string }>(
    `SELECT to_char(min(at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at
       FROM history_entries`,
    { type: QueryTypes.SELECT },
  );
  return row!.at;
}

/** Every page of a snapshot, followed through its cursors. */
async function wholeSnapshot(f: CampaignFixture, query: string, user: TestUser = f.player) {
  const rows: Array<Record<string, unknown>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/campaigns/${f.campaignId}/snapshot?${query}${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    }`;
    const page = await body(f.app, url, user);
    rows.push(...(page.data as Array<Record<string, unknown>>));
    cursor = (page.page as { nextCursor: string | null }).nextCursor;
    pages += 1;
  } while (cursor && pages < 50);
  return { rows, pages };
}

describe('Rows as they were (asOf, snapshot)', () => {
  const db = useFixtureDatabase();

  describe('GET /api/<collection>/:id?asOf=', () => {
    it('when a character is renamed, deleted, restored and renamed again, answers each time with the row as it was then, and 404 while it did not exist', async () => {
      const f = db.fixture;
      const beforeCreate = await moment();
      const id = await create(f, 'characters', { name: 'Aria', playerOwnerId: f.player.id });
      const created = await moment();
      await patch(f, `characters/${id}`, { name: 'Briar', description: 'scarred' });
      const renamed = await moment();
      const atRename = await body(f.app, `/api/characters/${id}`, f.player);
      await remove(f, `characters/${id}`);
      const deleted = await moment();
      // The restore brings the row back with its id, recorded as action restore.
      await request(f.app)
        .post(`/api/characters/${id}/restore`)
        .set('Authorization', f.player.auth)
        .expect(201);
      const restored = await moment();
      await patch(f, `characters/${id}`, { name: 'Cedar' });
      const now = await moment();

      const asOf = (at: string) => get(f.app, `/api/characters/${id}?asOf=${at}`, f.player);
      expect((await asOf(beforeCreate)).status).to.equal(404);
      expect((await asOf(beforeCreate)).body.error.message).to.include('did not exist');
      expect((await asOf(created)).body).to.include({ name: 'Aria', description: '' });
      const atRenamed = await asOf(renamed);
      expect(atRenamed.status).to.equal(200);
      // Nothing recorded separates the delete from the time: the body is the row as it was read then.
      expect(atRenamed.body).to.deep.equal(atRename);
      expect((await asOf(deleted)).status).to.equal(404);
      expect((await asOf(restored)).body).to.include({ name: 'Briar', description: 'scarred' });
      // The snapshot agrees: there before its delete, absent between the delete and the restore.
      const listed = async (at: string) =>
        (await wholeSnapshot(f, `at=${at}&kind=character`)).rows.map((row) => [row.id, row.name]);
      expect(await listed(renamed)).to.deep.equal([[id, 'Briar']]);
      expect(await listed(deleted)).to.deep.equal([]);
      expect(await listed(restored)).to.deep.equal([[id, 'Briar']]);
      const live = await get(f.app, `/api/characters/${id}`, f.player).expect(200);
      const current = await asOf(now);
      expect(current.body).to.deep.equal(live.body);
      expect(current.headers.etag).to.equal(live.headers.etag);
      // The as-of answer carries its own ETag and honours If-None-Match like the ordinary GET.
      const old = await asOf(created);
      expect(old.headers.etag).to.match(/^"[A-Za-z0-9_-]{43}"$/);
      expect(old.headers.etag).not.to.equal(live.headers.etag);
      await get(f.app, `/api/characters/${id}?asOf=${created}`, f.player)
        .set('If-None-Match', old.headers.etag!)
        .expect(304);
    });

    it('when an item and a campaign were changed, answers their earlier values, the creator, and the caller’s role now', async () => {
      const f = db.fixture;
      const itemId = await create(f, 'items', { name: 'Lamp', description: 'brass' });
      const before = await moment();
      await patch(f, `items/${itemId}`, { description: 'silver' }, f.owner);
      await request(f.app)
        .patch(`/api/campaigns/${f.campaignId}`)
        .set('Authorization', f.owner.auth)
        .send({ name: 'The Found Mine', playersCanCreateContent: true })
        .expect(200);

      const item = await body(f.app, `/api/items/${itemId}?asOf=${before}`, f.observer);
      expect(item).to.include({ id: itemId, name: 'Lamp', description: 'brass' });
      const gm = { id: f.gm.id, username: f.gm.username, displayName: f.gm.username };
      expect(item.createdBy).to.deep.equal(gm);
      // The last change at or before the time was the GM's create.
      expect(item.modifiedBy).to.deep.equal(gm);
      const campaign = await body(
        f.app,
        `/api/campaigns/${f.campaignId}?asOf=${before}`,
        f.observer,
      );
      expect(campaign).to.include({
        name: 'The Lost Mine',
        playersCanCreateContent: false,
        role: 'OBSERVER',
      });
      const [stored] = await db.current.sequelize.query<{ name: string }>(
        'SELECT name FROM campaigns WHERE id = $1',
        { bind: [f.campaignId], type: QueryTypes.SELECT },
      );
      expect(stored!.name).to.equal('The Found Mine');
    });

    it('when the time is malformed, in the future, or before the oldest entry, answers 400 naming asOf (and the earliest time it can answer)', async () => {
      const f = db.fixture;
      const id = await create(f, 'locations', { name: 'Harbour' });
      const url = `/api/locations/${id}?asOf=`;
      for (const bad of ['yesterday', '2026-02-30T00:00:00Z', '0000-01-01T00:00:00Z']) {
        const res = await get(f.app, url + encodeURIComponent(bad), f.player).expect(400);
        expect(res.body.error.details[0].field).to.equal('query.asOf');
      }
      const future = new Date(Date.now() + 60_000).toISOString();
      const late = await get(f.app, url + future, f.player).expect(400);
      expect(late.body.error.details).to.deep.equal([
        { field: 'query.asOf', message: late.body.error.details[0].message },
      ]);
      expect(late.body.error.message).to.include('in the future');
      const oldest = await oldestEntryAt(db.current.sequelize);
      const early = new Date(Date.parse(oldest) - 1).toISOString();
      const res = await get(f.app, url + early, f.player).expect(400);
      expect(res.body.error.details[0].field).to.equal('query.asOf');
      expect(res.body.error.message).to.include(`the earliest time it can answer is ${oldest}`);
      // The earliest time itself is answered (the campaign existed; the location did not).
      await get(f.app, `/api/campaigns/${f.campaignId}?asOf=${oldest}`, f.owner).expect(200);
    });

    it('when the caller is a member, an outsider or anonymous, answers 200, 404 and 401; a member who joined later reads the earlier rows too', async () => {
      const f = db.fixture;
      const id = await create(f, 'characters', { name: 'Aria', playerOwnerId: f.player.id });
      const before = await moment();
      await patch(f, `characters/${id}`, { name: 'Briar' });
      const url = `/api/characters/${id}?asOf=${before}`;
      for (const member of [f.owner, f.gm, f.player, f.otherPlayer, f.observer]) {
        expect((await body(f.app, url, member)).name).to.equal('Aria');
      }
      const outsider = await get(f.app, url, f.outsider).expect(404);
      expect(outsider.body.error.message).to.equal(`Character ${id} not found`);
      await get(f.app, url).expect(401);
      await get(f.app, `/api/characters/999999?asOf=${before}`, f.player).expect(404);
      const late = await signUp(f.app, 'latecomer');
      await addMember(f.app, f.owner, f.campaignId, late, 'OBSERVER');
      expect((await body(f.app, url, late)).name).to.equal('Aria');
    });
    it('when the campaign was deleted since, answers 404 for it, its rows and its snapshot, to its former members too', async () => {
      const f = db.fixture;
      const itemId = await create(f, 'items', { name: 'Lamp' });
      const before = await moment();
      await request(f.app)
        .delete(`/api/campaigns/${f.campaignId}`)
        .set('Authorization', f.owner.auth)
        .expect(204);
      for (const url of [
        `/api/campaigns/${f.campaignId}?asOf=${before}`,
        `/api/items/${itemId}?asOf=${before}`,
        `/api/campaigns/${f.campaignId}/snapshot?at=${before}`,
      ]) {
        expect((await get(f.app, url, f.owner)).status, url).to.equal(404);
      }
    });
  });

  describe('GET /api/campaigns/:id/snapshot', () => {
    it('when read for now, lists exactly what the ordinary GETs answer, kind then id, across pages', async () => {
      const f = db.fixture;
      const c1 = await create(f, 'characters', { name: 'Aria', playerOwnerId: f.player.id });
      const c2 = await create(f, 'characters', { name: 'Briar', playerOwnerId: f.otherPlayer.id });
      const gone = await create(f, 'characters', { name: 'Gone', playerOwnerId: f.player.id });
      const i1 = await create(f, 'items', { name: 'Lamp' });
      const l1 = await create(f, 'locations', { name: 'Harbour' });
      const l2 = await create(f, 'locations', { name: 'Tower' });
      await patch(f, `characters/${c1}`, { description: 'brave' });
      await remove(f, `characters/${gone}`);
      await patch(f, `locations/${l1}`, { name: 'Old Harbour' }, f.owner);
      const now = await moment();

      const { rows, pages } = await wholeSnapshot(f, `at=${now}&limit=2`);
      expect(pages).to.equal(3);
      const expected = [];
      for (const [kind, path, id] of [
        ['character', 'characters', c1],
        ['character', 'characters', c2],
        ['item', 'items', i1],
        ['location', 'locations', l1],
        ['location', 'locations', l2],
      ] as const) {
        expected.push({ kind, ...(await body(f.app, `/api/${path}/${id}`, f.player)) });
      }
      expect(rows).to.deep.equal(expected);
      const items = await wholeSnapshot(f, `at=${now}&kind=item`);
      expect(items.rows.map((row) => row.id)).to.deep.equal([i1]);
    });

    it('when read for an earlier time, lists the rows then with their values then: deleted since included, created since left out', async () => {
      const f = db.fixture;
      const kept = await create(f, 'characters', { name: 'Aria', playerOwnerId: f.player.id });
      const gone = await create(f, 'items', { name: 'Lamp', description: 'brass' });
      const then = await moment();
      await patch(f, `characters/${kept}`, { name: 'Briar' });
      await patch(f, `items/${gone}`, { description: 'silver' });
      await remove(f, `items/${gone}`);
      await create(f, 'locations', { name: 'New Harbour' });

      const { rows } = await wholeSnapshot(f, `at=${then}`);
      expect(rows.map((row) => [row.kind, row.id, row.name, row.description])).to.deep.equal([
        ['character', kept, 'Aria', ''],
        ['item', gone, 'Lamp', 'brass'],
      ]);
      // Each row is what its own asOf GET answers.
      expect(rows[0]).to.deep.equal({
        kind: 'character',
        ...(await body(f.app, `/api/characters/${kept}?asOf=${then}`, f.player)),
      });
    });

    it('when at, kind, limit or cursor is wrong, answers 400 naming the field', async () => {
      const f = db.fixture;
      const now = await moment();
      const base = `/api/campaigns/${f.campaignId}/snapshot`;
      const field = async (query: string) => {
        const res = await get(f.app, `${base}?${query}`, f.player).expect(400);
        return res.body.error.details[0].field as string;
      };
      expect(await field('')).to.equal('query.at');
      expect(await field('at=soon')).to.equal('query.at');
      expect(await field(`at=${new Date(Date.now() + 60_000).toISOString()}`)).to.equal('query.at');
      expect(await field('at=2001-01-01T00:00:00Z')).to.equal('query.at');
      expect(await field(`at=${now}&kind=campaign`)).to.equal('query.kind');
      expect(await field(`at=${now}&limit=0`)).to.equal('query.limit');
      expect(await field(`at=${now}&limit=101`)).to.equal('query.limit');
      const other = await get(f.app, `${base}?at=${now}&limit=1`, f.player).expect(200);
      expect(other.body.data).to.have.length(0);
      await create(f, 'items', { name: 'A' });
      await create(f, 'items', { name: 'B' });
      const later = await moment();
      const page = await get(f.app, `${base}?at=${later}&limit=1`, f.player).expect(200);
      const cursor = page.body.page.nextCursor as string;
      // A cursor of another time is not this list's.
      expect(await field(`at=${now}&cursor=${encodeURIComponent(cursor)}`)).to.equal(
        'query.cursor',
      );
    });

    it('when the caller is a member, an outsider or anonymous, answers 200, 404 and 401', async () => {
      const f = db.fixture;
      await create(f, 'items', { name: 'Lamp' });
      const now = await moment();
      const url = `/api/campaigns/${f.campaignId}/snapshot?at=${now}`;
      for (const member of [f.owner, f.gm, f.player, f.observer]) {
        expect((await body(f.app, url, member)).data).to.have.length(1);
      }
      const outsider = await get(f.app, url, f.outsider).expect(404);
      expect(outsider.body.error.message).to.equal(`Campaign ${f.campaignId} not found`);
      await get(f.app, url).expect(401);
    });
  });
});

// These two need the history as a fresh database has it: entries written
// before the fixture's, or no capture before the fixture exists.
describe('Rows as they were, before the fixture', () => {
  const db = useTestDatabase('latest');

  describe('GET /api/<collection>/:id?asOf=', () => {
    it('when the oldest partitions were pruned, the earliest time it can answer is the oldest entry left', async () => {
      const sequelize = db.current.sequelize;
      await sequelize.query(`SELECT gma_history_ensure_partitions('2024-01-01', '2024-03-01')`);
      // Entries of a campaign long gone, written in time order as the capture writes them.
      await sequelize.query(
        `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
         VALUES ('2024-01-15T00:00:00Z', 'campaigns', 999, 999, 'update', '{"description":{"from":"a","to":"b"}}'),
                ('2024-02-15T00:00:00Z', 'campaigns', 999, 999, 'update', '{"description":{"from":"b","to":""}}')`,
      );
      const f = await campaignFixture(db.current);
      const asOf = (at: string) => get(f.app, `/api/campaigns/${f.campaignId}?asOf=${at}`, f.owner);
      expect((await asOf('2024-02-01T00:00:00Z')).status).to.equal(404);
      // db:history-prune drops January's partition whole.
      await sequelize.query('DROP TABLE history_entries_p202401');
      const res = await asOf('2024-02-01T00:00:00Z');
      expect(res.status).to.equal(400);
      expect(res.body.error.message).to.include(
        'the earliest time it can answer is 2024-02-15T00:00:00.000000Z',
      );
      // From then on it answers: the campaign did not exist yet.
      expect((await asOf('2024-02-15T00:00:00Z')).status).to.equal(404);
    });
  });

  describe('rows from before the history was installed', () => {
    it('when rows made before the capture are changed and deleted after it, reads them back from the row and the delete entry', async () => {
      const sequelize = db.current.sequelize;
      const qi = sequelize.getQueryInterface();
      // The database as it was before the history: the same statements its
      // capture migrations' downs run, then rows made with no capture at all.
      for (const spec of HISTORY_TABLES) {
        for (const sql of removeCaptureSql(spec)) await sequelize.query(sql);
      }
      const f = await campaignFixture(db.current);
      const untouched = await create(f, 'characters', { name: 'Aria', playerOwnerId: f.player.id });
      const changed = await create(f, 'characters', { name: 'Briar', playerOwnerId: f.player.id });
      const deleted = await create(f, 'items', { name: 'Lamp', description: 'brass' });
      const [count] = await sequelize.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM history_entries',
        { type: QueryTypes.SELECT },
      );
      expect(count!.n).to.equal(0);
      const liveUntouched = await body(f.app, `/api/characters/${untouched}`, f.player);
      // Installing the history: its capture migrations.
      for (const spec of HISTORY_TABLES) await captureMigration(spec).up(qi);

      await patch(f, `items/${deleted}`, { description: 'silver' });
      const liveDeleted = await body(f.app, `/api/items/${deleted}`, f.player);
      const first = await moment();
      await patch(f, `characters/${changed}`, { name: 'Cedar' });
      await remove(f, `items/${deleted}`);
      const now = await moment();

      const at = (path: string) => get(f.app, `${path}?asOf=${first}`, f.player);
      expect((await at(`/api/characters/${untouched}`)).body).to.deep.equal(liveUntouched);
      const briar = (await at(`/api/characters/${changed}`)).body;
      expect(briar).to.include({ name: 'Briar' });
      // Changed since by an update only: when it last changed before then is not known.
      expect(briar).to.include({ updatedAt: null, modifiedBy: null });
      const lamp = (await at(`/api/items/${deleted}`)).body;
      // Deleted after the time, nothing recorded in between: the delete's whole row, audit fields too.
      expect(lamp).to.deep.equal(liveDeleted);
      const snapshot = await wholeSnapshot(f, `at=${first}`);
      expect(snapshot.rows.map((row) => [row.kind, row.id, row.name])).to.deep.equal([
        ['character', untouched, 'Aria'],
        ['character', changed, 'Briar'],
        ['item', deleted, 'Lamp'],
      ]);
      const latest = await wholeSnapshot(f, `at=${now}`);
      expect(latest.rows.map((row) => row.id)).to.deep.equal([untouched, changed]);
      // Before the first entry the history cannot answer.
      const oldest = await oldestEntryAt(sequelize);
      const early = new Date(Date.parse(oldest) - 1).toISOString();
      await get(f.app, `/api/characters/${untouched}?asOf=${early}`, f.player).expect(400);
    });
  });
});
