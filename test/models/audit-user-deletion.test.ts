import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs } from '../../app/context';
import { Character, Item, Location, User } from '../../models';
import { createAuditFixture, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

describe('Deleting a user keeps what they created or modified', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let creator: number, modifier: number, player: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 3);
    [creator, modifier, player] = fixture.users as [number, number, number];
    const { campaignId } = fixture;
    await runAs(creator, async () => {
      for (let i = 0; i < 3; i++) {
        await Character.create({ name: `Hero ${i}`, campaignId, playerOwnerId: player });
        await Item.create({ name: `Item ${i}`, campaignId });
        await Location.create({ name: `Place ${i}`, campaignId });
      }
    });
    await runAs(modifier, async () => {
      for (const model of [Character, Item, Location] as const) {
        await (model as typeof Item).update({ description: 'edited' }, { where: { campaignId } });
      }
    });
  });

  async function rows(table: string) {
    return db.current.sequelize.query<{ created_by: number | null; modified_by: number | null }>(
      `SELECT created_by, modified_by FROM ${table} ORDER BY id`,
      { type: QueryTypes.SELECT },
    );
  }

  it('when the creator and the modifier are deleted, then every row stays with NULL audit references', async () => {
    for (const table of ['characters', 'items', 'locations']) {
      expect(await rows(table), table).to.deep.equal(
        Array(3).fill({ created_by: creator, modified_by: modifier }),
      );
    }

    await User.destroy({ where: { id: creator } });
    await db.current.sequelize.query('DELETE FROM users WHERE id = :id', {
      replacements: { id: modifier },
    });

    for (const table of ['characters', 'items', 'locations']) {
      expect(await rows(table), table).to.deep.equal(
        Array(3).fill({ created_by: null, modified_by: null }),
      );
    }
  });

  it('when the player is deleted, then their characters go with them (by design) and items and locations stay', async () => {
    await User.destroy({ where: { id: player } });

    expect(await rows('characters')).to.deep.equal([]);
    expect(await rows('items')).to.have.length(3);
    expect(await rows('locations')).to.have.length(3);
  });
});
