import { expect } from 'chai';
import sinon from 'sinon';
import { runAs } from '../../app/context';
import { Character, Item } from '../../models';
import { auditUsersInclude, findAudited } from '../../models/mixins/audit-queries';
import { createAuditFixture, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

describe('Audit query helpers', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let a: number, b: number, player: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 3);
    [a, b, player] = fixture.users as [number, number, number];
    const { campaignId } = fixture;
    // name -> creator, created_at day (Nov), updated_at day (Nov)
    const plan: Array<[string, number, number, number]> = [
      ['old', a, 1, 20],
      ['mid', b, 10, 11],
      ['new', a, 15, 16],
      ['edge', a, 20, 25],
    ];
    for (const [name, user, created, updated] of plan) {
      const item = await Item.create({ name, campaignId }, { user });
      await db.current.sequelize.query(
        'UPDATE items SET created_at = :created, updated_at = :updated WHERE id = :id',
        {
          replacements: {
            id: item.id,
            created: new Date(Date.UTC(2026, 10, created)),
            updated: new Date(Date.UTC(2026, 10, updated)),
          },
        },
      );
    }
  });
  afterEach(() => sinon.restore());

  const names = (rows: Item[]) => rows.map((r) => r.name);

  it('when filtered by creator, then only that user’s rows come back, newest update first', async () => {
    expect(names(await findAudited(Item, { createdBy: a }))).to.deep.equal(['edge', 'old', 'new']);
    expect(names(await findAudited(Item, { createdBy: b }))).to.deep.equal(['mid']);
  });

  it('when filtered by a created_at range, then the start is included and the end excluded', async () => {
    const rows = await findAudited(Item, {
      createdFrom: new Date(Date.UTC(2026, 10, 10)),
      createdBefore: new Date(Date.UTC(2026, 10, 20)),
    });
    expect(names(rows)).to.deep.equal(['new', 'mid']);
  });

  it('when filtered by an updated_at range and sorted oldest created first, then both apply', async () => {
    const rows = await findAudited(Item, {
      updatedFrom: new Date(Date.UTC(2026, 10, 16)),
      updatedBefore: new Date(Date.UTC(2026, 10, 25)),
      sort: 'createdAt',
    });
    expect(names(rows)).to.deep.equal(['old', 'new']);
  });

  it('when a user association the model lacks is asked for, then it throws naming it instead of loading nobody', () => {
    expect(() => auditUsersInclude(Item, ['playerOwner'])).to.throw(
      /Item has no association "playerOwner"/,
    );
  });

  it('when filters combine with the caller’s own conditions and a limit, then all apply', async () => {
    const rows = await findAudited(Item, {
      createdBy: a,
      where: { campaignId: fixture.campaignId },
      limit: 2,
    });
    expect(names(rows)).to.deep.equal(['edge', 'old']);
  });

  it('when characters are loaded with their users, then creator, modifier and player come in the same single query, without password hashes', async () => {
    const character = await runAs(a, () =>
      Character.create({ name: 'Lyra', campaignId: fixture.campaignId, playerOwnerId: player }),
    );
    await runAs(b, () => character.update({ description: 'edited' }));
    const spy = sinon.spy(db.current.sequelize, 'query');

    const [loaded] = await findAudited(Character, { withUsers: true, otherUsers: ['playerOwner'] });

    expect(spy.callCount).to.equal(1);
    expect(loaded!.createdByUser?.id).to.equal(a);
    expect(loaded!.modifiedByUser?.id).to.equal(b);
    expect(loaded!.playerOwner?.id).to.equal(player);
    expect(loaded!.playerOwner?.username).to.equal('user_3');
    expect(loaded!.createdByUser?.get('passwordHash')).to.equal(undefined);
  });
});
