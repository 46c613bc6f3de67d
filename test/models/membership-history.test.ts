import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { runInContext } from '../../app/context';
import { HISTORY_TABLES } from '../../app/history/history-spec';
import { CampaignService } from '../../app/services/campaign-service';
import { InvitationService } from '../../app/services/invitation-service';
import { MembershipService } from '../../app/services/membership-service';
import { User, type CampaignRole } from '../../models';
import { useTestDatabase } from '../support/test-database';

/*
 * Memberships and invitations in the history: each use case's entries, with
 * the event it names as their source, and the promise that no entry ever
 * holds a token, a password hash or an email, held two ways: against the
 * columns of every captured table (what any future entry could hold) and
 * against the entries the use cases write.
 */

/** A column name that says it holds a secret or an address. */
const SECRET_COLUMN = /token|password|passwd|hash|email|e_mail|secret|salt/i;

/**
 * Every table a capture trigger is installed on, with every column it has
 * (a create or delete entry records the whole row), read from the catalog:
 * a table captured without being declared is read too.
 */
async function capturedColumns(sequelize: Sequelize): Promise<Map<string, string[]>> {
  const rows = await sequelize.query<{ table: string; column: string }>(
    `SELECT c.relname::text AS table, a.attname::text AS column
       FROM pg_trigger t
       JOIN pg_proc p ON p.oid = t.tgfoid AND p.proname = 'gma_history_capture'
       JOIN pg_class c ON c.oid = t.tgrelid
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY 1, a.attnum`,
    { type: QueryTypes.SELECT },
  );
  const byTable = new Map<string, string[]>();
  for (const { table, column } of rows) byTable.set(table, [...(byTable.get(table) ?? []), column]);
  return byTable;
}

/** `table.column` of every captured column named like a secret. */
function secretColumns(columns: Map<string, string[]>): string[] {
  return [...columns].flatMap(([table, names]) =>
    names.filter((name) => SECRET_COLUMN.test(name)).map((name) => `${table}.${name}`),
  );
}

interface Entry {
  id: string;
  table_name: string;
  row_id: number;
  action: string;
  actor_id: number | null;
  request_id: string | null;
  source: string | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

describe('History of memberships and invitations', () => {
  const db = useTestDatabase('latest');

  it('when every table a capture trigger is on is read from the catalog, memberships and invitations are among them and no column of any is named like a token, password, hash or email', async () => {
    const columns = await capturedColumns(db.current.sequelize);
    expect([...columns.keys()]).to.include.members(HISTORY_TABLES.map((spec) => spec.table));
    expect([...columns.keys()]).to.include.members([
      'campaign_memberships',
      'campaign_invitations',
    ]);
    expect(secretColumns(columns)).to.deep.equal([]);
  });

  it('when a captured table gains a column named like a secret, the column check names it', async () => {
    const { sequelize } = db.current;
    await sequelize.query('ALTER TABLE campaign_invitations ADD COLUMN invite_token text');
    expect(secretColumns(await capturedColumns(sequelize))).to.deep.equal([
      'campaign_invitations.invite_token',
    ]);
  });

  describe('each use case', () => {
    let seq: number;
    let users: Record<'owner' | 'gm' | 'player' | 'guest' | 'stranger', number>;
    let campaignId: number;

    /** Runs `fn` as `userId` inside a request-like context with its own request id. */
    function as<T>(userId: number, fn: () => Promise<T>): Promise<T> {
      seq += 1;
      return runInContext({ actor: { userId }, requestId: `req-${seq}`, source: 'http' }, fn);
    }

    const services = () => ({
      campaigns: new CampaignService(db.current.sequelize),
      invitations: new InvitationService(db.current.sequelize, 7),
      members: new MembershipService(db.current.sequelize),
    });

    async function entriesSince(id: string): Promise<Entry[]> {
      return db.current.sequelize.query<Entry>(
        `SELECT id::text AS id, table_name, row_id, action, actor_id, request_id, source, changes
           FROM history_entries
          WHERE id > $1::bigint AND table_name IN ('campaign_memberships', 'campaign_invitations')
          ORDER BY id`,
        { bind: [id], type: QueryTypes.SELECT },
      );
    }

    async function lastEntryId(): Promise<string> {
      const [row] = await db.current.sequelize.query<{ id: string }>(
        'SELECT coalesce(max(id), 0)::text AS id FROM history_entries',
        { type: QueryTypes.SELECT },
      );
      return row!.id;
    }

    /** The entries one step writes, read with a fresh query. */
    async function step(fn: () => Promise<unknown>): Promise<Entry[]> {
      const before = await lastEntryId();
      await fn();
      return entriesSince(before);
    }

    const summary = (e: Entry) => ({
      table: e.table_name,
      action: e.action,
      source: e.source,
      actor: e.actor_id,
    });

    beforeEach(async () => {
      seq = 0;
      const names = ['owner', 'gm', 'player', 'guest', 'stranger'] as const;
      const created = await Promise.all(
        names.map((name) =>
          User.create({
            username: `mh-${name}`,
            email: `mh-${name}@example.test`,
            passwordHash: `scrypt$secret-hash-of-${name}`,
          }),
        ),
      );
      users = Object.fromEntries(names.map((name, i) => [name, created[i]!.id])) as typeof users;
      const { campaigns } = services();
      campaignId = (await as(users.owner, () => campaigns.create(users.owner, { name: 'Keep' })))
        .campaign.id;
    });

    async function join(userId: number, username: string, role: CampaignRole) {
      const { invitations } = services();
      const invitation = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, username, role),
      );
      await as(userId, () => invitations.accept(invitation.id, userId));
    }

    it('when an invitation is made and accepted, the invite is an invitation create by the inviter, and the accept an invitation delete and a member create by the invitee, in one request', async () => {
      const { invitations } = services();
      let invitationId = 0;
      const invited = await step(async () => {
        invitationId = (
          await as(users.owner, () => invitations.invite(campaignId, users.owner, 'mh-gm', 'GM'))
        ).id;
      });
      expect(invited.map(summary)).to.deep.equal([
        { table: 'campaign_invitations', action: 'create', source: 'invite', actor: users.owner },
      ]);
      expect(invited[0]!.row_id).to.equal(invitationId);
      expect(invited[0]!.changes.user_id).to.deep.equal({ from: null, to: users.gm });
      expect(invited[0]!.changes.invited_by).to.deep.equal({ from: null, to: users.owner });

      const accepted = await step(() =>
        as(users.gm, () => invitations.accept(invitationId, users.gm)),
      );
      expect(accepted.map(summary)).to.deep.equal([
        { table: 'campaign_invitations', action: 'delete', source: 'accept', actor: users.gm },
        { table: 'campaign_memberships', action: 'create', source: 'accept', actor: users.gm },
      ]);
      expect(new Set(accepted.map((e) => e.request_id)).size).to.equal(1);
      expect(accepted[1]!.changes.role).to.deep.equal({ from: null, to: 'GM' });
    });

    it('when the invitee declines, the invitation delete names the invitee and says decline', async () => {
      const { invitations } = services();
      const invitation = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, 'mh-guest', 'PLAYER'),
      );
      const declined = await step(() =>
        as(users.guest, () => invitations.decline(invitation.id, users.guest)),
      );
      expect(declined.map(summary)).to.deep.equal([
        { table: 'campaign_invitations', action: 'delete', source: 'decline', actor: users.guest },
      ]);
    });

    it('when a member revokes an invitation, its delete names that member and says revoke', async () => {
      const { invitations } = services();
      const invitation = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, 'mh-guest', 'OBSERVER'),
      );
      const revoked = await step(() =>
        as(users.owner, () => invitations.revoke(campaignId, invitation.id, users.owner)),
      );
      expect(revoked.map(summary)).to.deep.equal([
        { table: 'campaign_invitations', action: 'delete', source: 'revoke', actor: users.owner },
      ]);
    });

    it('when an expired invitation is replaced by a new one, the old one’s delete says expire and the new one’s create says invite', async () => {
      const { invitations } = services();
      const old = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, 'mh-guest', 'PLAYER'),
      );
      await db.current.sequelize.query(
        `UPDATE campaign_invitations SET expires_at = now() - interval '1 day' WHERE id = $1`,
        { bind: [old.id] },
      );
      const replaced = await step(() =>
        as(users.owner, () => invitations.invite(campaignId, users.owner, 'mh-guest', 'PLAYER')),
      );
      expect(replaced.map((e) => [e.row_id === old.id, e.action, e.source])).to.deep.equal([
        [true, 'delete', 'expire'],
        [false, 'create', 'invite'],
      ]);
    });

    it('when a role is changed, a member is removed and another leaves, each entry says role, remove or leave and names who did it', async () => {
      await join(users.gm, 'mh-gm', 'GM');
      await join(users.player, 'mh-player', 'PLAYER');
      await join(users.guest, 'mh-guest', 'PLAYER');
      const { members } = services();

      const changed = await step(() =>
        as(users.gm, () => members.changeRole(campaignId, users.gm, users.player, 'OBSERVER')),
      );
      expect(changed.map(summary)).to.deep.equal([
        { table: 'campaign_memberships', action: 'update', source: 'role', actor: users.gm },
      ]);
      expect(changed[0]!.changes).to.deep.equal({ role: { from: 'PLAYER', to: 'OBSERVER' } });

      const removed = await step(() =>
        as(users.owner, () => members.remove(campaignId, users.owner, users.player)),
      );
      expect(removed.map(summary)).to.deep.equal([
        { table: 'campaign_memberships', action: 'delete', source: 'remove', actor: users.owner },
      ]);
      expect(removed[0]!.changes.user_id).to.deep.equal({ from: users.player, to: null });

      const left = await step(() =>
        as(users.guest, () => members.remove(campaignId, users.guest, users.guest)),
      );
      expect(left.map(summary)).to.deep.equal([
        { table: 'campaign_memberships', action: 'delete', source: 'leave', actor: users.guest },
      ]);
    });

    it('when refused (a role the caller cannot grant), nothing is written to the history', async () => {
      await join(users.gm, 'mh-gm', 'GM');
      const { invitations } = services();
      const written = await step(() =>
        as(users.gm, () => invitations.invite(campaignId, users.gm, 'mh-guest', 'OWNER')).catch(
          (error: Error) => expect(error.name).to.equal('ForbiddenError'),
        ),
      );
      expect(written).to.deep.equal([]);
    });

    it('when every use case has run, no entry they wrote holds a column named like a secret, nor any email, password hash or token hash of the database', async () => {
      const { invitations, members } = services();
      const first = await lastEntryId();
      await join(users.gm, 'mh-gm', 'GM');
      await join(users.player, 'mh-player', 'PLAYER');
      const declined = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, 'mh-guest', 'PLAYER'),
      );
      await as(users.guest, () => invitations.decline(declined.id, users.guest));
      const revoked = await as(users.owner, () =>
        invitations.invite(campaignId, users.owner, 'mh-stranger', 'PLAYER'),
      );
      await as(users.owner, () => invitations.revoke(campaignId, revoked.id, users.owner));
      await as(users.owner, () =>
        members.changeRole(campaignId, users.owner, users.player, 'OBSERVER'),
      );
      await as(users.owner, () => members.remove(campaignId, users.owner, users.player));
      await as(users.gm, () => members.remove(campaignId, users.gm, users.gm));
      // A token of the invitee's own, as a login makes one.
      await db.current.sequelize.query(
        `INSERT INTO auth_tokens (user_id, token_hash, expires_at, created_at, updated_at)
         VALUES ($1, repeat('ab', 32), now() + interval '1 day', now(), now())`,
        { bind: [users.gm] },
      );

      const written = await entriesSince(first);
      expect(new Set(written.map((e) => e.source))).to.deep.equal(
        new Set(['invite', 'accept', 'decline', 'revoke', 'role', 'remove', 'leave']),
      );
      const keys = written.flatMap((e) => Object.keys(e.changes));
      expect(keys.filter((key) => SECRET_COLUMN.test(key))).to.deep.equal([]);
      const secrets = await db.current.sequelize.query<{ value: string }>(
        `SELECT email AS value FROM users WHERE email <> ''
         UNION ALL SELECT password_hash FROM users
         UNION ALL SELECT token_hash FROM auth_tokens`,
        { type: QueryTypes.SELECT },
      );
      expect(secrets.length).to.be.greaterThan(5);
      const text = JSON.stringify(written);
      expect(secrets.map((s) => s.value).filter((value) => text.includes(value))).to.deep.equal([]);
    });
  });
});
