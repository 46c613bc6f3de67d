import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import { addMember, signUp, type TestUser } from '../../support/api-client';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { userOf, WHO, type Who } from '../../support/callers';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';
import { describeEachConnection } from '../../support/connections';

// The permission matrix: who x (read, create, update, delete) for every
// resource. Each case acts on a target made just for it, then checks the
// database with a fresh query: allowed changes happened, refused ones did not.

type Action = 'read' | 'create' | 'update' | 'delete';

function send(
  app: Express,
  method: 'get' | 'post' | 'patch' | 'delete',
  url: string,
  user: TestUser | undefined,
  body?: object,
) {
  const req = request(app)[method](url);
  if (user) req.set('Authorization', user.auth);
  return body ? req.send(body) : req;
}

interface Resource {
  name: string;
  table: string;
  /** Creates the row a case acts on; returns its id. */
  makeTarget(f: CampaignFixture, db: TestDatabase): Promise<number>;
  url(f: CampaignFixture, id: number): string;
  /** Where to read, when not the target's own URL. */
  readUrl?(f: CampaignFixture): string;
  /** Body of a create; may prepare rows first. */
  createUrl(f: CampaignFixture): string;
  createBody(f: CampaignFixture, db: TestDatabase): Promise<object>;
  updateBody(): object;
  /** A fresh look at the target row, or null when it is gone. */
  state(db: TestDatabase, f: CampaignFixture, id: number): Promise<Record<string, unknown> | null>;
  count(db: TestDatabase, f: CampaignFixture): Promise<number>;
  expected: Record<Action, Record<Who, number>>;
}

async function one(db: TestDatabase, sql: string, bind: unknown[]) {
  const [rows] = await db.sequelize.query(sql, { bind });
  return (rows[0] as Record<string, unknown> | undefined) ?? null;
}

async function countOf(db: TestDatabase, sql: string, bind: unknown[]): Promise<number> {
  return Number((await one(db, sql, bind))!.n);
}

const MEMBER_READ = {
  OWNER: 200,
  GM: 200,
  PLAYER: 200,
  OBSERVER: 200,
  'non-member': 404,
  anonymous: 401,
};
const EDITORS_ONLY = (ok: number) => ({
  OWNER: ok,
  GM: ok,
  PLAYER: 403,
  OBSERVER: 403,
  'non-member': 404,
  anonymous: 401,
});

let sequence = 0;
const unique = (prefix: string) => `${prefix} ${++sequence}`;

async function createThing(f: CampaignFixture, kind: string, as: TestUser = f.owner) {
  const res = await send(f.app, 'post', `/api/${kind}`, as, {
    campaignId: f.campaignId,
    name: unique(kind),
  }).expect(201);
  return res.body.id as number;
}

function thing(kind: 'items' | 'locations'): Resource {
  return {
    name: kind,
    table: kind,
    makeTarget: (f) => createThing(f, kind),
    url: (_f, id) => `/api/${kind}/${id}`,
    createUrl: () => `/api/${kind}`,
    createBody: async (f) => ({ campaignId: f.campaignId, name: unique(kind) }),
    updateBody: () => ({ name: unique('renamed') }),
    state: (db, _f, id) => one(db, `SELECT name FROM ${kind} WHERE id = $1`, [id]),
    count: (db, f) =>
      countOf(db, `SELECT count(*) AS n FROM ${kind} WHERE campaign_id = $1`, [f.campaignId]),
    expected: {
      read: MEMBER_READ,
      // The campaign does not let players create content (the default).
      create: EDITORS_ONLY(201),
      update: EDITORS_ONLY(200),
      delete: EDITORS_ONLY(204),
    },
  };
}

const resources: Resource[] = [
  {
    name: 'campaigns',
    table: 'campaigns',
    makeTarget: (f) => Promise.resolve(f.campaignId),
    url: (f) => `/api/campaigns/${f.campaignId}`,
    createUrl: () => '/api/campaigns',
    createBody: async () => ({ name: unique('campaign') }),
    updateBody: () => ({ name: unique('renamed') }),
    state: (db, f) => one(db, 'SELECT name FROM campaigns WHERE id = $1', [f.campaignId]),
    count: (db) => countOf(db, 'SELECT count(*) AS n FROM campaigns', []),
    expected: {
      read: MEMBER_READ,
      // Anyone signed in may start a campaign of their own.
      create: {
        OWNER: 201,
        GM: 201,
        PLAYER: 201,
        OBSERVER: 201,
        'non-member': 201,
        anonymous: 401,
      },
      update: EDITORS_ONLY(200),
      delete: {
        OWNER: 204,
        GM: 403,
        PLAYER: 403,
        OBSERVER: 403,
        'non-member': 404,
        anonymous: 401,
      },
    },
  },
  {
    name: 'members',
    table: 'campaign_memberships',
    // A fresh PLAYER to change or remove (invited and accepted); the GM may manage players.
    makeTarget: async (f) => {
      const user = await signUp(f.app, unique('member').replace(' ', '_'));
      await addMember(f.app, f.owner, f.campaignId, user, 'PLAYER');
      return user.id;
    },
    url: (f, userId) => `/api/campaigns/${f.campaignId}/members/${userId}`,
    readUrl: (f) => `/api/campaigns/${f.campaignId}/members`,
    // Members join by invitation: "create" is inviting an account.
    createUrl: (f) => `/api/campaigns/${f.campaignId}/invitations`,
    createBody: async (f) => {
      const user = await signUp(f.app, unique('newcomer').replace(' ', '_'));
      return { username: user.username, role: 'PLAYER' };
    },
    updateBody: () => ({ role: 'OBSERVER' }),
    state: (db, f, userId) =>
      one(db, 'SELECT role FROM campaign_memberships WHERE campaign_id = $1 AND user_id = $2', [
        f.campaignId,
        userId,
      ]),
    // Invitations and memberships: an invitation is what a "create" adds.
    count: (db, f) =>
      countOf(
        db,
        `SELECT (SELECT count(*) FROM campaign_memberships WHERE campaign_id = $1)
              + (SELECT count(*) FROM campaign_invitations WHERE campaign_id = $1) AS n`,
        [f.campaignId],
      ),
    expected: {
      read: MEMBER_READ,
      create: EDITORS_ONLY(201),
      update: EDITORS_ONLY(200),
      delete: EDITORS_ONLY(204),
    },
  },
  {
    name: 'characters',
    table: 'characters',
    // The target belongs to the other player: a PLAYER may not touch it.
    makeTarget: async (f) => {
      const res = await send(f.app, 'post', '/api/characters', f.owner, {
        campaignId: f.campaignId,
        name: unique('character'),
        playerOwnerId: f.otherPlayer.id,
      }).expect(201);
      return res.body.id as number;
    },
    url: (_f, id) => `/api/characters/${id}`,
    createUrl: () => '/api/characters',
    createBody: async (f) => ({ campaignId: f.campaignId, name: unique('character') }),
    updateBody: () => ({ name: unique('renamed') }),
    state: (db, _f, id) => one(db, 'SELECT name FROM characters WHERE id = $1', [id]),
    count: (db, f) =>
      countOf(db, 'SELECT count(*) AS n FROM characters WHERE campaign_id = $1', [f.campaignId]),
    expected: {
      read: MEMBER_READ,
      // A PLAYER creates characters for themselves (the default owner).
      create: {
        OWNER: 201,
        GM: 201,
        PLAYER: 201,
        OBSERVER: 403,
        'non-member': 404,
        anonymous: 401,
      },
      update: EDITORS_ONLY(200),
      delete: EDITORS_ONLY(204),
    },
  },
  thing('items'),
  thing('locations'),
];

describeEachConnection('Permission matrix', (via) => {
  for (const resource of resources) {
    describe(resource.name, () => {
      let db: TestDatabase;
      let f: CampaignFixture;
      before(async () => {
        db = await createTestDatabase('latest', via);
        f = await campaignFixture(db);
      });
      after(async () => {
        await db?.drop();
      });

      for (const who of WHO) {
        const read = resource.expected.read[who];
        it(`when ${who} reads, answers ${read}`, async () => {
          const id = await resource.makeTarget(f, db);
          const url = resource.readUrl?.(f) ?? resource.url(f, id);
          const res = await send(f.app, 'get', url, userOf(f, who));
          expect(res.status, JSON.stringify(res.body)).to.equal(read);
          if (read !== 200) expect(res.body.error.code).to.be.a('string');
          else if (resource.readUrl) {
            // A list: the target is among the rows.
            const rows = res.body.data as Array<{ id?: number; userId?: number }>;
            expect(rows.map((r) => r.id ?? r.userId)).to.include(id);
          } else expect(res.body.id).to.equal(id);
        });

        const create = resource.expected.create[who];
        it(`when ${who} creates, answers ${create} and ${create === 201 ? 'adds' : 'adds nothing'}`, async () => {
          const body = await resource.createBody(f, db);
          const before = await resource.count(db, f);
          const res = await send(f.app, 'post', resource.createUrl(f), userOf(f, who), body);
          expect(res.status, JSON.stringify(res.body)).to.equal(create);
          expect(await resource.count(db, f)).to.equal(before + (create === 201 ? 1 : 0));
        });

        const update = resource.expected.update[who];
        it(`when ${who} updates, answers ${update} and ${update === 200 ? 'changes' : 'keeps'} the row`, async () => {
          const id = await resource.makeTarget(f, db);
          const before = await resource.state(db, f, id);
          const body = resource.updateBody();
          const res = await send(f.app, 'patch', resource.url(f, id), userOf(f, who), body);
          expect(res.status, JSON.stringify(res.body)).to.equal(update);
          const after = await resource.state(db, f, id);
          if (update === 200) expect(after).to.deep.equal(body);
          else expect(after).to.deep.equal(before);
        });

        const remove = resource.expected.delete[who];
        // Deleting the campaign itself would end the block's fixture: run it on a copy.
        it(`when ${who} deletes, answers ${remove} and ${remove === 204 ? 'removes' : 'keeps'} the row`, async () => {
          const target =
            resource.name === 'campaigns'
              ? await campaignFixture(db, { prefix: `d${++sequence}_` })
              : f;
          const id = await resource.makeTarget(target, db);
          const res = await send(
            target.app,
            'delete',
            resource.url(target, id),
            userOf(target, who),
          );
          expect(res.status, JSON.stringify(res.body)).to.equal(remove);
          const after = await resource.state(db, target, id);
          if (remove === 204) expect(after).to.equal(null);
          else expect(after).to.not.equal(null);
        });
      }
    });
  }
});

describeEachConnection("Permission matrix: a PLAYER's own content", (via) => {
  let db: TestDatabase;
  afterEach(async () => {
    await db?.drop();
  });

  it('when a PLAYER edits and deletes their own character, answers 200 and 204', async () => {
    db = await createTestDatabase('latest', via);
    const f = await campaignFixture(db);
    const created = await send(f.app, 'post', '/api/characters', f.player, {
      campaignId: f.campaignId,
      name: 'Mine',
    }).expect(201);
    const id = created.body.id as number;
    await send(f.app, 'patch', `/api/characters/${id}`, f.player, { name: 'Still mine' }).expect(
      200,
    );
    expect(await one(db, 'SELECT name FROM characters WHERE id = $1', [id])).to.deep.equal({
      name: 'Still mine',
    });
    await send(f.app, 'delete', `/api/characters/${id}`, f.player).expect(204);
    expect(await one(db, 'SELECT id FROM characters WHERE id = $1', [id])).to.equal(null);
  });

  it('when a PLAYER creates a character for another player or hands theirs over, answers 403', async () => {
    db = await createTestDatabase('latest', via);
    const f = await campaignFixture(db);
    const res = await send(f.app, 'post', '/api/characters', f.player, {
      campaignId: f.campaignId,
      name: 'Not mine',
      playerOwnerId: f.otherPlayer.id,
    }).expect(403);
    expect(res.body.error.code).to.equal('forbidden');
    const own = await send(f.app, 'post', '/api/characters', f.player, {
      campaignId: f.campaignId,
      name: 'Mine',
    }).expect(201);
    await send(f.app, 'patch', `/api/characters/${own.body.id}`, f.player, {
      playerOwnerId: f.otherPlayer.id,
    }).expect(403);
    expect(
      await one(db, 'SELECT player_owner_id FROM characters WHERE id = $1', [own.body.id]),
    ).to.deep.equal({ player_owner_id: f.player.id });
    expect(await countOf(db, 'SELECT count(*) AS n FROM characters', [])).to.equal(1);
  });

  it('when the campaign lets players create content, a PLAYER creates items and locations but still cannot edit them', async () => {
    db = await createTestDatabase('latest', via);
    const f = await campaignFixture(db, { campaign: { playersCanCreateContent: true } });
    for (const kind of ['items', 'locations']) {
      const created = await send(f.app, 'post', `/api/${kind}`, f.player, {
        campaignId: f.campaignId,
        name: 'Rope',
      }).expect(201);
      await send(f.app, 'patch', `/api/${kind}/${created.body.id}`, f.player, {
        name: 'Chain',
      }).expect(403);
      expect(
        await one(db, `SELECT name FROM ${kind} WHERE id = $1`, [created.body.id]),
      ).to.deep.equal({ name: 'Rope' });
      await send(f.app, 'post', `/api/${kind}`, f.observer, {
        campaignId: f.campaignId,
        name: 'Rope',
      }).expect(403);
    }
  });
});
