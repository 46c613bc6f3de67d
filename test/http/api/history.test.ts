import { expect } from 'chai';
import request from 'supertest';
import type { TestUser } from '../../support/api-client';
import { useFixtureDatabase, type CampaignFixture } from '../../support/campaign-fixture';
import { historyOf } from '../../support/history';

// Reading the history over HTTP: a row's own history, the campaign's
// activity, and what a write from outside the app looks like there. Every
// answer is compared with the stored entries, read with a fresh query.

interface Entry {
  id: string;
  action: string;
  at: string;
  actor: { id: number; username: string; displayName: string } | null;
  source: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
  kind?: string;
  targetId?: number;
}

function get(f: CampaignFixture, url: string, user: TestUser = f.player) {
  return request(f.app).get(url).set('Authorization', user.auth);
}

async function entries(f: CampaignFixture, url: string, user?: TestUser): Promise<Entry[]> {
  const res = await get(f, url, user);
  expect(res.status, `${url}: ${JSON.stringify(res.body)}`).to.equal(200);
  return res.body.data as Entry[];
}

// Registration without a display name uses the username.
const summary = (user: TestUser) => ({
  id: user.id,
  username: user.username,
  displayName: user.username,
});

describe('History over HTTP', () => {
  const db = useFixtureDatabase();

  describe('a row’s history', () => {
    interface Case {
      kind: string;
      table: string;
      /** Creates the row as `creator` (or takes an existing one); its id and the fields it was created with. */
      create(f: CampaignFixture, creator: TestUser): Promise<{ id: number; created: object }>;
      edit: object;
      /** The update entry's changes, given the edit above. */
      edited: object;
      /** Every field a create records, by API name. */
      fields: string[];
    }
    const content = (collection: string, body: (f: CampaignFixture) => object) => {
      return async (f: CampaignFixture, creator: TestUser) => {
        const res = await request(f.app)
          .post(`/api/${collection}`)
          .set('Authorization', creator.auth)
          .send(body(f))
          .expect(201);
        return { id: res.body.id as number, created: body(f) };
      };
    };
    const cases: Case[] = [
      {
        kind: 'characters',
        table: 'characters',
        create: content('characters', (f) => ({
          campaignId: f.campaignId,
          name: 'Gundren',
          description: 'a dwarf',
          playerOwnerId: f.player.id,
        })),
        edit: { description: 'a worried dwarf', gameSystem: '5e' },
        edited: {
          description: { from: 'a dwarf', to: 'a worried dwarf' },
          gameSystem: { from: '', to: '5e' },
        },
        fields: ['id', 'campaignId', 'name', 'description', 'gameSystem', 'playerOwnerId'],
      },
      {
        kind: 'items',
        table: 'items',
        create: content('items', (f) => ({ campaignId: f.campaignId, name: 'Lantern' })),
        edit: { name: 'Hooded lantern' },
        edited: { name: { from: 'Lantern', to: 'Hooded lantern' } },
        fields: ['id', 'campaignId', 'name', 'description'],
      },
      {
        kind: 'locations',
        table: 'locations',
        create: content('locations', (f) => ({ campaignId: f.campaignId, name: 'Phandalin' })),
        edit: { description: 'a frontier town' },
        edited: { description: { from: '', to: 'a frontier town' } },
        fields: ['id', 'campaignId', 'name', 'description'],
      },
      {
        kind: 'campaigns',
        table: 'campaigns',
        // The fixture's campaign, created by its owner over HTTP.
        create: async (f) => ({ id: f.campaignId, created: { name: 'The Lost Mine' } }),
        edit: { playersCanCreateContent: true, gameSystem: '5e' },
        edited: {
          playersCanCreateContent: { from: false, to: true },
          gameSystem: { from: '', to: '5e' },
        },
        fields: ['id', 'name', 'description', 'gameSystem', 'ownerId', 'playersCanCreateContent'],
      },
    ];

    for (const c of cases) {
      it(`when one of the ${c.kind} is created and then edited over HTTP, its history answers both entries newest first, with actor and camelCase changes only of fields the resource shows`, async () => {
        const f = db.fixture;
        const creator = c.kind === 'campaigns' ? f.owner : f.gm;
        const { id, created } = await c.create(f, creator);
        await request(f.app)
          .patch(`/api/${c.kind}/${id}`)
          .set('Authorization', f.owner.auth)
          .send(c.edit)
          .expect(200);
        // Another row of the campaign: its entries belong to the activity, not to this history.
        await request(f.app)
          .post('/api/locations')
          .set('Authorization', f.gm.auth)
          .send({ campaignId: f.campaignId, name: 'Elsewhere' })
          .expect(201);

        const [update, create, ...rest] = await entries(f, `/api/${c.kind}/${id}/history`);
        expect(rest).to.deep.equal([]);
        expect(update).to.deep.include({
          action: 'update',
          actor: summary(f.owner),
          source: 'http',
          changes: c.edited,
        });
        expect(create).to.deep.include({
          action: 'create',
          actor: summary(creator),
          source: 'http',
        });
        expect(Object.keys(create!.changes)).to.have.members(c.fields);
        for (const [field, value] of Object.entries({ id, ...created })) {
          expect(create!.changes[field], field).to.deep.equal({ from: null, to: value });
        }
        expect(update!.at >= create!.at, 'newest first').to.equal(true);
        expect(update!.at).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);

        // The same entries as stored, in the same order.
        const stored = await historyOf(db.current.sequelize, c.table, id);
        expect([update!.id, create!.id]).to.deep.equal(stored.map((e) => e.id));
        expect(stored.map((e) => e.actor_id)).to.deep.equal([f.owner.id, creator.id]);
      });
    }

    it('when a row is changed by raw SQL outside the app, its history shows the change with actor null', async () => {
      const f = db.fixture;
      const item = await request(f.app)
        .post('/api/items')
        .set('Authorization', f.owner.auth)
        .send({ campaignId: f.campaignId, name: 'Rope' })
        .expect(201);
      await db.current.sequelize.query(`UPDATE items SET description = 'frayed' WHERE id = $1`, {
        bind: [item.body.id],
      });

      const [byHand, create] = await entries(f, `/api/items/${item.body.id}/history`);
      expect(byHand).to.deep.include({
        action: 'update',
        actor: null,
        source: null,
        changes: { description: { from: '', to: 'frayed' } },
      });
      expect(create!.actor).to.deep.equal(summary(f.owner));
      const [stored] = await historyOf(db.current.sequelize, 'items', item.body.id);
      expect(stored).to.deep.include({ id: byHand!.id, actor_id: null, request_id: null });
    });

    it('when the actor’s account is deleted afterwards, its entries answer actor null and keep their changes', async () => {
      const f = db.fixture;
      const item = await request(f.app)
        .post('/api/items')
        .set('Authorization', f.gm.auth)
        .send({ campaignId: f.campaignId, name: 'Map' })
        .expect(201);
      await db.current.sequelize.query('DELETE FROM users WHERE id = $1', { bind: [f.gm.id] });

      const [create] = await entries(f, `/api/items/${item.body.id}/history`);
      expect(create).to.deep.include({ action: 'create', actor: null });
      expect(create!.changes.name).to.deep.equal({ from: null, to: 'Map' });
      const [stored] = await historyOf(db.current.sequelize, 'items', item.body.id);
      expect(stored!.actor_id).to.equal(f.gm.id);
    });
  });

  it('when a character, an item and a location are deleted over HTTP, their histories answer 404 and every entry, the delete included, stays in the campaign’s activity', async () => {
    const f = db.fixture;
    const rows: Array<{ collection: string; kind: string; id: number }> = [];
    for (const [collection, kind, extra] of [
      ['characters', 'character', { playerOwnerId: f.player.id }],
      ['items', 'item', {}],
      ['locations', 'location', {}],
    ] as const) {
      const res = await request(f.app)
        .post(`/api/${collection}`)
        .set('Authorization', f.gm.auth)
        .send({ campaignId: f.campaignId, name: `Doomed ${kind}`, ...extra })
        .expect(201);
      await request(f.app)
        .patch(`/api/${collection}/${res.body.id}`)
        .set('Authorization', f.gm.auth)
        .send({ description: 'soon gone' })
        .expect(200);
      await get(f, `/api/${collection}/${res.body.id}/history`).expect(200);
      await request(f.app)
        .delete(`/api/${collection}/${res.body.id}`)
        .set('Authorization', f.owner.auth)
        .expect(204);
      rows.push({ collection, kind, id: res.body.id });
    }

    const activity = await entries(f, `/api/campaigns/${f.campaignId}/activity?limit=100`);
    for (const row of rows) {
      const gone = await get(f, `/api/${row.collection}/${row.id}/history`);
      expect(gone.status, row.collection).to.equal(404);
      expect(gone.body.error.code).to.equal('not_found');

      const mine = activity.filter((e) => e.kind === row.kind && e.targetId === row.id);
      expect(
        mine.map((e) => e.action),
        row.kind,
      ).to.deep.equal(['delete', 'update', 'create']);
      const [deleted] = mine;
      expect(deleted!.actor).to.deep.equal(summary(f.owner));
      expect(deleted!.changes.name).to.deep.equal({ from: `Doomed ${row.kind}`, to: null });
      expect(deleted!.changes.description).to.deep.equal({ from: 'soon gone', to: null });
      expect(Object.values(deleted!.changes).every((change) => change.to === null)).to.equal(true);
      const stored = await historyOf(db.current.sequelize, `${row.kind}s`, row.id);
      expect(mine.map((e) => e.id)).to.deep.equal(stored.map((e) => e.id));
    }
  });

  describe('the campaign’s activity', () => {
    /** Entries by three users, of every kind, at distinct times; and the whole activity. */
    async function busyCampaign() {
      const f = db.fixture;
      const post = (user: TestUser, collection: string, body: object) =>
        request(f.app)
          .post(`/api/${collection}`)
          .set('Authorization', user.auth)
          .send({ campaignId: f.campaignId, ...body })
          .expect(201);
      await post(f.owner, 'items', { name: 'Sword' });
      await post(f.gm, 'locations', { name: 'Cave' });
      await post(f.player, 'characters', { name: 'Sildar' });
      await request(f.app)
        .patch(`/api/campaigns/${f.campaignId}`)
        .set('Authorization', f.gm.auth)
        .send({ description: 'deeper' })
        .expect(200);
      await post(f.gm, 'items', { name: 'Shield' });
      // Entries of another campaign never show here.
      const other = await request(f.app)
        .post('/api/campaigns')
        .set('Authorization', f.gm.auth)
        .send({ name: 'Elsewhere' })
        .expect(201);
      await post(f.gm, 'items', { name: 'Elsewhere item', campaignId: other.body.id });
      const all = await entries(f, `/api/campaigns/${f.campaignId}/activity?limit=100`);
      return { f, all };
    }

    it('when read without filters, answers every entry of the campaign and its content newest first, each naming its kind and target', async () => {
      const { f, all } = await busyCampaign();
      const [stored] = await db.current.sequelize.query(
        `SELECT id::text AS id, table_name, row_id FROM history_entries
          WHERE campaign_id = $1 ORDER BY at DESC, id DESC`,
        { bind: [f.campaignId] },
      );
      const kinds: Record<string, string> = {
        campaigns: 'campaign',
        characters: 'character',
        items: 'item',
        locations: 'location',
        campaign_memberships: 'member',
        campaign_invitations: 'invitation',
      };
      expect(all.map((e) => ({ id: e.id, kind: e.kind, targetId: e.targetId }))).to.deep.equal(
        (stored as Array<{ id: string; table_name: string; row_id: number }>).map((s) => ({
          id: s.id,
          kind: kinds[s.table_name],
          targetId: s.row_id,
        })),
      );
      // The fixture's members joined by invitation: those entries are there too.
      expect(all.map((e) => e.kind)).to.include.members([
        'campaign',
        'character',
        'item',
        'location',
        'member',
        'invitation',
      ]);
      expect(all.some((e) => e.changes.name?.to === 'Elsewhere item')).to.equal(false);
    });

    it('when filtered by actor, answers only that user’s entries', async () => {
      const { f, all } = await busyCampaign();
      const byGm = await entries(f, `/api/campaigns/${f.campaignId}/activity?actor=${f.gm.id}`);
      expect(byGm.map((e) => e.id)).to.deep.equal(
        all.filter((e) => e.actor?.id === f.gm.id).map((e) => e.id),
      );
      // Three writes of content, and accepting the invitation (its delete, the membership's create).
      expect(byGm).to.have.length(5);
    });

    it('when filtered by actor and walked two entries per page, the cursors answer that user’s entries of every kind newest first, each once', async () => {
      const { f } = await busyCampaign();
      // More of the actor's entries per kind than a page holds, interleaved across kinds.
      for (const [collection, name] of [
        ['items', 'Rope'],
        ['locations', 'Bridge'],
        ['items', 'Lamp'],
        ['locations', 'Mill'],
        ['items', 'Map'],
      ]) {
        await request(f.app)
          .post(`/api/${collection}`)
          .set('Authorization', f.gm.auth)
          .send({ campaignId: f.campaignId, name })
          .expect(201);
      }
      const url = `/api/campaigns/${f.campaignId}/activity?actor=${f.gm.id}&limit=2`;
      const walked: Entry[] = [];
      for (let next: string | null = url; next;) {
        const res = await get(f, next);
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        walked.push(...(res.body.data as Entry[]));
        const cursor = res.body.page.nextCursor as string | null;
        next = cursor ? `${url}&cursor=${cursor}` : null;
      }
      const [stored] = await db.current.sequelize.query(
        `SELECT id::text AS id FROM history_entries
          WHERE campaign_id = $1 AND actor_id = $2 ORDER BY at DESC, id DESC`,
        { bind: [f.campaignId, f.gm.id] },
      );
      expect(walked.map((e) => e.id)).to.deep.equal(
        (stored as Array<{ id: string }>).map((s) => s.id),
      );
      // Eight writes of content, and accepting the invitation (two entries).
      expect(walked).to.have.length(10);
      expect(new Set(walked.map((e) => e.kind))).to.deep.equal(
        new Set(['item', 'location', 'campaign', 'invitation', 'member']),
      );
    });

    it('when filtered by actor and kind together, answers only that user’s entries of that kind', async () => {
      const { f, all } = await busyCampaign();
      const url = `/api/campaigns/${f.campaignId}/activity?actor=${f.gm.id}&kind=item`;
      const some = await entries(f, url);
      expect(some.map((e) => e.id)).to.deep.equal(
        all.filter((e) => e.actor?.id === f.gm.id && e.kind === 'item').map((e) => e.id),
      );
      expect(some).to.have.length(1);
    });

    it('when filtered by kind, answers only entries of that kind of row', async () => {
      const { f, all } = await busyCampaign();
      for (const kind of ['campaign', 'character', 'item', 'location']) {
        const some = await entries(f, `/api/campaigns/${f.campaignId}/activity?kind=${kind}`);
        expect(
          some.map((e) => e.id),
          kind,
        ).to.deep.equal(all.filter((e) => e.kind === kind).map((e) => e.id));
        expect(some, kind).to.not.be.empty;
      }
    });

    it('when filtered by since and until, answers entries at or after since and strictly before until', async () => {
      const { f, all } = await busyCampaign();
      // Boundaries on entries' own instants (to the microsecond), so each bound is tested at equality.
      const times = [...new Set(all.map((e) => e.at))].sort();
      expect(times.length).to.be.at.least(4);
      const since = times[1]!;
      const until = times[times.length - 2]!;
      const url = `/api/campaigns/${f.campaignId}/activity`;
      const after = await entries(f, `${url}?since=${since}`);
      expect(after.map((e) => e.id)).to.deep.equal(
        all.filter((e) => e.at >= since).map((e) => e.id),
      );
      const before = await entries(f, `${url}?until=${until}`);
      expect(before.map((e) => e.id)).to.deep.equal(
        all.filter((e) => e.at < until).map((e) => e.id),
      );
      const between = await entries(f, `${url}?since=${since}&until=${until}&actor=${f.gm.id}`);
      expect(between.map((e) => e.id)).to.deep.equal(
        all
          .filter((e) => e.at >= since && e.at < until && e.actor?.id === f.gm.id)
          .map((e) => e.id),
      );
      expect(between).to.not.be.empty;
    });
  });

  it('when limit, cursor, kind, actor, since or until is not valid, answers 400 naming the field', async () => {
    const f = db.fixture;
    const notACursor = Buffer.from(JSON.stringify(['yesterday', '1'])).toString('base64url');
    const badMonth = Buffer.from(JSON.stringify(['2026-13-01T00:00:00.000000Z', '1'])).toString(
      'base64url',
    );
    const cases: Array<[string, string]> = [
      ['limit=0', 'query.limit'],
      ['limit=1000', 'query.limit'],
      ['limit=1e1', 'query.limit'],
      ['cursor=not-a-cursor', 'query.cursor'],
      ['cursor=%25%25', 'query.cursor'],
      [`cursor=${notACursor}`, 'query.cursor'],
      [`cursor=${badMonth}`, 'query.cursor'],
      ['kind=foo', 'query.kind'],
      ['actor=0x1', 'query.actor'],
      ['since=notadate', 'query.since'],
      ['until=2026-02-30T00:00:00Z', 'query.until'],
      ['page=2', 'query.page'],
    ];
    for (const [query, field] of cases) {
      const rowOnly = ['limit', 'cursor'].some((name) => query.startsWith(`${name}=`));
      const urls = [
        `/api/campaigns/${f.campaignId}/activity?${query}`,
        ...(rowOnly ? [`/api/campaigns/${f.campaignId}/history?${query}`] : []),
      ];
      for (const url of urls) {
        const res = await get(f, url);
        expect(res.status, url).to.equal(400);
        expect(res.body.error.code, url).to.equal('validation_failed');
        const fields = res.body.error.details.map((d: { field: string }) => d.field);
        expect([...new Set(fields)], url).to.deep.equal([field]);
      }
    }
  });
});
