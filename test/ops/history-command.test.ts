import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs, runInContext } from '../../app/context';
import { CampaignService } from '../../app/services/campaign-service';
import { InvitationService } from '../../app/services/invitation-service';
import { MembershipService } from '../../app/services/membership-service';
import { Campaign, User } from '../../models';
import { campaignWithHistory } from '../support/history-entries';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const history = (url: string, ...args: string[]) => appCommand('app/cli/history.ts', url, ...args);

interface Line {
  id: string;
  at: string;
  kind: string;
  table: string;
  rowId: number;
  action: string;
  actorId: number | null;
  changes: Record<string, { from: unknown; to: unknown }>;
}

const parse = (stdout: string): Line[] =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Line);

describe('db:history', () => {
  const db = useTestDatabase('latest');

  /** A campaign with a character and an item, then deleted with them by its owner. */
  async function deletedCampaign() {
    const ids = await campaignWithHistory('lost');
    await runAs(ids.userId, () => Campaign.destroy({ where: { id: ids.campaignId } }));
    const [left] = await db.current.sequelize.query<{ n: number }>(
      'SELECT (SELECT count(*) FROM campaigns WHERE id = $1) + (SELECT count(*) FROM characters WHERE campaign_id = $1) AS n',
      { bind: [ids.campaignId], type: QueryTypes.SELECT },
    );
    expect(Number(left!.n)).to.equal(0);
    return ids;
  }

  it("when a campaign was deleted, prints its entries newest first, its characters' and items' cascaded deletes included, with their actor", async () => {
    const { userId, campaignId, characterId, itemId } = await deletedCampaign();
    const stored = await db.current.sequelize.query<{
      id: string;
      table_name: string;
      row_id: number;
      action: string;
    }>(
      `SELECT id::text, table_name, row_id, action FROM history_entries
        WHERE campaign_id = $1 ORDER BY at DESC, id DESC`,
      { bind: [campaignId], type: QueryTypes.SELECT },
    );

    const result = await history(db.current.url, '--campaign', String(campaignId), '--json');

    expect(result.code, result.stderr).to.equal(0);
    const lines = parse(result.stdout);
    expect(lines.map((l) => l.id)).to.deep.equal(stored.map((s) => s.id));
    const deletes = lines.filter((l) => l.action === 'delete');
    expect(deletes.map((l) => `${l.kind} ${l.rowId} by ${l.actorId}`)).to.have.members([
      `campaign ${campaignId} by ${userId}`,
      `character ${characterId} by ${userId}`,
      `item ${itemId} by ${userId}`,
    ]);
    const character = deletes.find((l) => l.kind === 'character')!;
    expect(character.changes.name).to.deep.equal({ from: 'lost hero', to: null });
    expect(character.changes.description).to.deep.equal({ from: 'brave', to: null });
  });

  it('when printing text, shows one line per entry with time, kind, row, action, actor, request id, source and fields', async () => {
    const { campaignId, itemId } = await deletedCampaign();
    await db.current.sequelize.query(
      `UPDATE history_entries SET actor_id = NULL WHERE table_name = 'items' AND action = 'update'`,
    );
    const result = await history(db.current.url, '--campaign', String(campaignId));
    expect(result.code, result.stderr).to.equal(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).to.match(
      /^\d{4}-\d\d-\d\dT\S+Z {2}\w+\(\w+\) {2}#\d+ {2}delete {2}actor \d+ {2}request \S+ {2}source \S+ {2}fields \S+$/,
    );
    const pattern = new RegExp(
      `item\\(items\\) {2}#${itemId} {2}update {2}actor unknown {2}.* {2}fields name$`,
    );
    expect(lines.filter((line) => pattern.test(line))).to.have.length(1);
  });

  it('when given --kind and --limit, prints only that many entries of that kind', async () => {
    const { campaignId } = await deletedCampaign();
    const result = await history(
      db.current.url,
      '--campaign',
      String(campaignId),
      '--kind',
      'character',
      '--limit',
      '2',
      '--json',
    );
    expect(result.code, result.stderr).to.equal(0);
    const lines = parse(result.stdout);
    expect(lines.map((l) => `${l.kind} ${l.action}`)).to.deep.equal([
      'character delete',
      'character update',
    ]);
  });

  it('when the campaign has no entries, says so and exits 0', async () => {
    const result = await history(db.current.url, '--campaign', '999999');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout.trim()).to.equal('No history entries for campaign 999999.');
  });

  it('when a member was invited, joined, changed role and left, --kind member and --kind invitation print those entries with the event as source, and no line holds an email', async () => {
    const { sequelize } = db.current;
    const [owner, player] = await Promise.all(
      ['cmd-owner', 'cmd-player'].map((username) =>
        User.create({ username, email: `${username}@example.test`, passwordHash: 'x' }),
      ),
    );
    const as = <T>(userId: number, fn: () => Promise<T>) =>
      runInContext({ actor: { userId }, requestId: `r${userId}`, source: 'cli' }, fn);
    const invitations = new InvitationService(sequelize, 7);
    const members = new MembershipService(sequelize);
    const campaignId = (
      await as(owner!.id, () => new CampaignService(sequelize).create(owner!.id, { name: 'Cmd' }))
    ).campaign.id;
    const invitation = await as(owner!.id, () =>
      invitations.invite(campaignId, owner!.id, 'cmd-player', 'PLAYER'),
    );
    await as(player!.id, () => invitations.accept(invitation.id, player!.id));
    await as(owner!.id, () => members.changeRole(campaignId, owner!.id, player!.id, 'GM'));
    await as(player!.id, () => members.remove(campaignId, player!.id, player!.id));

    const memberLines = await history(
      db.current.url,
      '--campaign',
      String(campaignId),
      '--kind',
      'member',
      '--json',
    );
    expect(memberLines.code, memberLines.stderr).to.equal(0);
    expect(
      parse(memberLines.stdout).map(
        (l) =>
          `${l.kind}(${l.table}) ${l.action} ${(l as Line & { source: string }).source} by ${l.actorId}`,
      ),
    ).to.deep.equal([
      `member(campaign_memberships) delete leave by ${player!.id}`,
      `member(campaign_memberships) update role by ${owner!.id}`,
      `member(campaign_memberships) create accept by ${player!.id}`,
      // The owner's membership, made with the campaign: the context's own source.
      `member(campaign_memberships) create cli by ${owner!.id}`,
    ]);
    const invitationText = await history(
      db.current.url,
      '--campaign',
      String(campaignId),
      '--kind',
      'invitation',
    );
    expect(invitationText.code, invitationText.stderr).to.equal(0);
    const lines = invitationText.stdout.trim().split('\n');
    expect(lines).to.have.length(2);
    expect(lines[0]).to.match(
      /invitation\(campaign_invitations\) {2}#\d+ {2}delete .* source accept /,
    );
    expect(lines[1]).to.match(
      /invitation\(campaign_invitations\) {2}#\d+ {2}create .* source invite /,
    );
    expect(memberLines.stdout + invitationText.stdout).to.not.include('@example.test');
  });

  it('when --campaign is missing or not an id, or --kind is unknown, exits 2 saying which', async () => {
    for (const [args, message] of [
      [[], '--campaign <id> is required'],
      [['--campaign', 'abc'], '--campaign takes a positive integer id'],
      [
        ['--campaign', '1', '--kind', 'spell'],
        '--kind takes one of character, item, location, campaign',
      ],
      [['--campaign', '1', '--limit', '0'], '--limit takes a number of at least 1'],
    ] as const) {
      const result = await history(db.current.url, ...args);
      expect(result.code, result.stderr).to.equal(2);
      expect(result.stderr).to.include(message);
    }
  });

  describe('before the history table exists', () => {
    const empty = useTestDatabase('empty');

    it('says no entries exist and exits 0', async () => {
      const result = await history(empty.current.url, '--campaign', '1');
      expect(result.code, result.stderr).to.equal(0);
      expect(result.stdout).to.include('no entries exist');
    });
  });
});
