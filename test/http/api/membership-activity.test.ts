import { expect } from 'chai';
import request from 'supertest';
import type { TestUser } from '../../support/api-client';
import { useFixtureDatabase, type CampaignFixture } from '../../support/campaign-fixture';

// Memberships and invitations in a campaign's activity over HTTP: kinds
// `member` and `invitation`, the event each write names as its source, the
// user each entry is about (`subject`), who may read them, and that no
// response holds an email. Every answer is held against the stored entries,
// read with a fresh query.

interface Entry {
  id: string;
  action: string;
  source: string | null;
  actor: { id: number; username: string } | null;
  kind: string;
  targetId: number;
  subject?: { id: number; username: string; displayName: string } | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

interface Stored {
  id: string;
  table_name: string;
  row_id: number;
  action: string;
  source: string | null;
  actor_id: number | null;
}

const KINDS: Record<string, string> = {
  campaign_memberships: 'member',
  campaign_invitations: 'invitation',
};

describe('Membership history in the campaign activity', () => {
  const db = useFixtureDatabase();

  const api = (f: CampaignFixture, user: TestUser) => ({
    get: (url: string) => request(f.app).get(url).set('Authorization', user.auth),
    post: (url: string, body: object = {}) =>
      request(f.app).post(url).set('Authorization', user.auth).send(body),
    patch: (url: string, body: object) =>
      request(f.app).patch(url).set('Authorization', user.auth).send(body),
    delete: (url: string) => request(f.app).delete(url).set('Authorization', user.auth),
  });

  /** Every page of `url` (which has its query), walked by the cursors. */
  async function walk(f: CampaignFixture, user: TestUser, url: string): Promise<Entry[]> {
    const all: Entry[] = [];
    for (let next: string | null = url; next;) {
      const res = await api(f, user).get(next);
      expect(res.status, `${next}: ${JSON.stringify(res.body)}`).to.equal(200);
      all.push(...(res.body.data as Entry[]));
      const cursor = res.body.page.nextCursor as string | null;
      next = cursor ? `${url}&cursor=${encodeURIComponent(cursor)}` : null;
    }
    return all;
  }

  async function stored(campaignId: number, table?: string): Promise<Stored[]> {
    const [rows] = await db.current.sequelize.query(
      `SELECT id::text AS id, table_name, row_id, action, source, actor_id FROM history_entries
        WHERE campaign_id = $1 AND table_name = ANY($2::text[]) ORDER BY at DESC, id DESC`,
      { bind: [campaignId, table ? [table] : Object.keys(KINDS)] },
    );
    return rows as Stored[];
  }

  /**
   * After the fixture's joins: the outsider is invited and declines, invited
   * again and revoked; the GM demotes a player, the owner removes that player
   * and the observer leaves.
   */
  async function lifecycle(f: CampaignFixture) {
    const owner = api(f, f.owner);
    const campaign = `/api/campaigns/${f.campaignId}`;
    const declined = await owner
      .post(`${campaign}/invitations`, { username: f.outsider.username, role: 'PLAYER' })
      .expect(201);
    await api(f, f.outsider).post(`/api/invitations/${declined.body.id}/decline`).expect(204);
    const revoked = await owner
      .post(`${campaign}/invitations`, { username: f.outsider.username, role: 'OBSERVER' })
      .expect(201);
    await owner.delete(`${campaign}/invitations/${revoked.body.id}`).expect(204);
    await api(f, f.gm)
      .patch(`${campaign}/members/${f.player.id}`, { role: 'OBSERVER' })
      .expect(200);
    await owner.delete(`${campaign}/members/${f.player.id}`).expect(204);
    await api(f, f.observer).delete(`${campaign}/members/${f.observer.id}`).expect(204);
    return { declined: declined.body.id as number, revoked: revoked.body.id as number };
  }

  it('when members are invited, decline, are revoked, change role, are removed and leave over HTTP, the activity answers each with its kind, event as source, actor and subject, exactly as stored', async () => {
    const f = db.fixture;
    const { declined, revoked } = await lifecycle(f);

    const listed = await walk(
      f,
      f.owner,
      `/api/campaigns/${f.campaignId}/activity?limit=100&since=2000-01-01T00:00:00Z`,
    );
    const ours = listed.filter((e) => e.kind === 'member' || e.kind === 'invitation');
    const rows = await stored(f.campaignId);
    expect(
      ours.map((e) => [e.id, e.kind, e.targetId, e.action, e.source, e.actor?.id]),
    ).to.deep.equal(
      rows.map((s) => [s.id, KINDS[s.table_name], s.row_id, s.action, s.source, s.actor_id]),
    );

    const events = ours.slice(0, 6).map((e) => ({
      kind: e.kind,
      action: e.action,
      source: e.source,
      actor: e.actor?.username,
      subject: e.subject?.username,
    }));
    expect(events).to.deep.equal([
      { kind: 'member', action: 'delete', source: 'leave', actor: 'observer', subject: 'observer' },
      { kind: 'member', action: 'delete', source: 'remove', actor: 'owner', subject: 'player' },
      // A role change records only the role: its subject is read from the member's other entries.
      { kind: 'member', action: 'update', source: 'role', actor: 'gamemaster', subject: 'player' },
      {
        kind: 'invitation',
        action: 'delete',
        source: 'revoke',
        actor: 'owner',
        subject: 'outsider',
      },
      {
        kind: 'invitation',
        action: 'create',
        source: 'invite',
        actor: 'owner',
        subject: 'outsider',
      },
      {
        kind: 'invitation',
        action: 'delete',
        source: 'decline',
        actor: 'outsider',
        subject: 'outsider',
      },
    ]);
    expect(ours[2]!.changes).to.deep.equal({ role: { from: 'PLAYER', to: 'OBSERVER' } });
    expect(ours[3]!.targetId).to.equal(revoked);
    expect(ours[5]!.targetId).to.equal(declined);
    const invited = ours[4]!;
    expect(Object.keys(invited.changes).sort()).to.deep.equal(
      ['campaignId', 'expiresAt', 'id', 'invitedBy', 'role', 'userId'].sort(),
    );
    expect(invited.changes.userId).to.deep.equal({ from: null, to: f.outsider.id });
    expect(invited.changes.invitedBy).to.deep.equal({ from: null, to: f.owner.id });

    // The fixture's joins: each an invitation deleted and a membership created, by the invitee.
    const gmJoined = ours.filter((e) => e.actor?.id === f.gm.id && e.source === 'accept');
    expect(gmJoined.map((e) => [e.kind, e.action, e.subject?.id])).to.deep.equal([
      ['member', 'create', f.gm.id],
      ['invitation', 'delete', f.gm.id],
    ]);
    // Entries of other kinds carry no subject.
    expect(listed.filter((e) => e.kind === 'campaign').every((e) => !('subject' in e))).to.equal(
      true,
    );
  });

  it('when filtered by kind member or invitation and walked one entry per page, the cursors answer exactly the stored entries of that kind, each once', async () => {
    const f = db.fixture;
    await lifecycle(f);
    for (const [table, kind] of Object.entries(KINDS)) {
      const walked = await walk(
        f,
        f.gm,
        `/api/campaigns/${f.campaignId}/activity?kind=${kind}&limit=1`,
      );
      const rows = await stored(f.campaignId, table);
      expect(rows.length, kind).to.be.greaterThan(4);
      expect(
        walked.map((e) => e.id),
        kind,
      ).to.deep.equal(rows.map((s) => s.id));
      expect(new Set(walked.map((e) => e.kind)), kind).to.deep.equal(new Set([kind]));
    }
  });

  it('when an invitee who is not a member, a member removed since or an outsider reads the activity, answers 404; any member, an observer included, reads the membership entries', async () => {
    const f = db.fixture;
    const url = `/api/campaigns/${f.campaignId}/activity?kind=invitation`;
    const invitation = await api(f, f.owner)
      .post(`/api/campaigns/${f.campaignId}/invitations`, {
        username: f.outsider.username,
        role: 'PLAYER',
      })
      .expect(201);
    // Invited, not yet a member: nothing, not even the invitation.
    await api(f, f.outsider).get(url).expect(404);
    const observed = await api(f, f.observer).get(url).expect(200);
    expect(observed.body.data[0]).to.include({ action: 'create', source: 'invite' });
    expect(observed.body.data[0].subject).to.deep.include({ id: f.outsider.id });

    await api(f, f.outsider).post(`/api/invitations/${invitation.body.id}/decline`).expect(204);
    await api(f, f.outsider).get(url).expect(404);

    await api(f, f.owner)
      .delete(`/api/campaigns/${f.campaignId}/members/${f.player.id}`)
      .expect(204);
    await api(f, f.player).get(url).expect(404);
    await request(f.app).get(url).expect(401);
  });

  it('when the kind filter names neither a kind of row nor member or invitation, answers 400 naming query.kind', async () => {
    const f = db.fixture;
    const res = await api(f, f.owner)
      .get(`/api/campaigns/${f.campaignId}/activity?kind=membership`)
      .expect(400);
    expect(JSON.stringify(res.body)).to.include('query.kind');
  });

  it('when a membership or invitation history is asked for by a row route, there is none: answers 404 and the document lists no such path', async () => {
    const f = db.fixture;
    const [[member]] = (await db.current.sequelize.query(
      'SELECT id FROM campaign_memberships WHERE campaign_id = $1 LIMIT 1',
      { bind: [f.campaignId] },
    )) as [Array<{ id: number }>, unknown];
    for (const collection of ['members', 'memberships', 'invitations']) {
      await api(f, f.owner).get(`/api/${collection}/${member!.id}/history`).expect(404);
    }
    const doc = (await request(f.app).get('/api/openapi.json').expect(200)).body;
    const historyPaths = Object.keys(doc.paths).filter((p) => p.endsWith('/history'));
    expect(historyPaths.sort()).to.deep.equal(
      ['campaigns', 'characters', 'items', 'locations'].map((c) => `/api/${c}/{id}/history`),
    );
    expect(doc.components.schemas.HistoryKind.enum).to.include.members(['member', 'invitation']);
  });

  it('when the whole activity is read after every membership event, no response holds any account’s email', async () => {
    const f = db.fixture;
    await lifecycle(f);
    const listed = await walk(f, f.owner, `/api/campaigns/${f.campaignId}/activity?limit=100`);
    const [emails] = (await db.current.sequelize.query(
      "SELECT email FROM users WHERE email <> ''",
    )) as [Array<{ email: string }>, unknown];
    expect(emails.length).to.be.greaterThan(5);
    const text = JSON.stringify(listed);
    expect(emails.map((e) => e.email).filter((email) => text.includes(email))).to.deep.equal([]);
  });
});
