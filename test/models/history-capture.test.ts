import { expect } from 'chai';
import { DataTypes, Model, QueryTypes } from 'sequelize';
import { runAs, runInContext } from '../../app/context';
import { installCaptureSql } from '../../app/history/capture-sql';
import { Campaign, Character, Item, Location } from '../../models';
import { applyAudit, auditAttributes } from '../../models/mixins/audited';
import { createAuditFixture, type AuditFixture } from '../support/audit-fixtures';
import { historyOf } from '../support/history';
import { useTestDatabase } from '../support/test-database';

/*
 * The history entries of the write paths the audit stamp does not cover
 * (deletes, cascades, increments) and of writes from outside the app.
 * test/models/audit-write-paths.test.ts checks the stamped paths.
 */
describe('History: deletes, cascades, increments and writes from outside the app', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let writer: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 4);
    writer = fixture.users[2]!;
  });

  const sql = (text: string, replacements: Record<string, unknown> = {}) =>
    db.current.sequelize.query(text, { replacements });

  async function entriesOfCampaign(campaignId: number) {
    return db.current.sequelize.query<{
      table_name: string;
      row_id: number;
      action: string;
      actor_id: number | null;
    }>(
      `SELECT table_name, row_id, action, actor_id FROM history_entries
        WHERE campaign_id = :campaignId ORDER BY at DESC, id DESC`,
      { type: QueryTypes.SELECT, replacements: { campaignId } },
    );
  }

  it('when instance.destroy runs as a user, a delete entry names the user and holds the whole row', async () => {
    const item = await runAs(writer, () =>
      Item.create({ campaignId: fixture.campaignId, name: 'Lantern' }),
    );
    await runAs(writer, () => item.destroy());

    const [entry] = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entry).to.include({
      action: 'delete',
      actor_id: writer,
      campaign_id: fixture.campaignId,
    });
    expect(entry!.changes.name).to.deep.equal({ from: 'Lantern', to: null });
  });

  it('when Model.destroy runs as a user, each deleted row gets a delete entry naming the user', async () => {
    const rows = await runAs(writer, () =>
      Location.bulkCreate([
        { campaignId: fixture.campaignId, name: 'Cave' },
        { campaignId: fixture.campaignId, name: 'Keep' },
      ]),
    );
    await runAs(fixture.users[1]!, () =>
      Location.destroy({ where: { id: rows.map((row) => row.id) } }),
    );

    for (const row of rows) {
      const [entry] = await historyOf(db.current.sequelize, 'locations', row.id);
      expect(entry, `location ${row.id}`).to.include({
        action: 'delete',
        actor_id: fixture.users[1],
      });
    }
  });

  it("when a campaign is deleted, its own delete and its content's cascaded deletes are kept under its id, naming who deleted it", async () => {
    const owner = fixture.users[0]!;
    const campaign = await runAs(owner, () => Campaign.create({ name: 'Doomed', ownerId: owner }));
    const character = await runAs(owner, () =>
      Character.create({ campaignId: campaign.id, name: 'Hero', playerOwnerId: owner }),
    );
    const item = await runAs(owner, () => Item.create({ campaignId: campaign.id, name: 'Sword' }));

    await runAs(owner, () => campaign.destroy());

    const deletes = (await entriesOfCampaign(campaign.id)).filter((e) => e.action === 'delete');
    expect(deletes.map((e) => [e.table_name, e.row_id, e.actor_id]).sort()).to.deep.equal(
      [
        ['campaigns', campaign.id, owner],
        ['characters', character.id, owner],
        ['items', item.id, owner],
      ].sort(),
    );
  });

  it('when a counter is incremented through an audited model, the update entry names the user and the change', async () => {
    const { sequelize } = db.current;
    await sql(`CREATE TABLE tallies (
      id serial PRIMARY KEY, count integer NOT NULL DEFAULT 0,
      created_by integer, modified_by integer,
      created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
    for (const statement of installCaptureSql({ table: 'tallies', campaignColumn: 'id' }, [
      'id',
      'count',
    ])) {
      await sql(statement);
    }
    class Tally extends Model {
      declare id: number;
    }
    Tally.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        count: DataTypes.INTEGER,
        ...auditAttributes(),
      },
      { sequelize, tableName: 'tallies', underscored: true },
    );
    applyAudit(Tally);
    const tally = await runAs(fixture.users[0]!, () => Tally.create({ count: 1 }));

    await runAs(writer, () => Tally.increment('count', { by: 2, where: { id: tally.id } }));

    const [entry] = await historyOf(sequelize, 'tallies', tally.id);
    expect(entry).to.include({ action: 'update', actor_id: writer });
    expect(entry!.changes).to.deep.equal({ count: { from: 1, to: 3 } });
  });

  it('when raw SQL updates a row, the entry has no actor, request id or source', async () => {
    const item = await runAs(writer, () =>
      Item.create({ campaignId: fixture.campaignId, name: 'Rope' }),
    );
    await sql(`UPDATE items SET name = 'Frayed rope' WHERE id = :id`, { id: item.id });

    const [entry] = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entry).to.include({ action: 'update', actor_id: null, request_id: null, source: null });
    expect(entry!.changes).to.deep.equal({ name: { from: 'Rope', to: 'Frayed rope' } });
  });

  it('when an update changes nothing, or only audit columns and timestamps, no entry is written', async () => {
    const item = await runAs(writer, () =>
      Item.create({ campaignId: fixture.campaignId, name: 'Coin' }),
    );
    await sql(`UPDATE items SET name = name, updated_at = now() WHERE id = :id`, { id: item.id });
    await sql(`UPDATE items SET modified_by = NULL, created_by = NULL WHERE id = :id`, {
      id: item.id,
    });
    await runAs(fixture.users[1]!, () => Item.update({ name: 'Coin' }, { where: { id: item.id } }));

    const entries = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entries.map((e) => e.action)).to.deep.equal(['create']);
  });

  it('when a write runs in a request context, the entry carries its request id and source', async () => {
    const item = await runInContext(
      { actor: { userId: writer }, requestId: 'req-history-1', source: 'http' },
      () => Item.create({ campaignId: fixture.campaignId, name: 'Map' }),
    );

    const [entry] = await historyOf(db.current.sequelize, 'items', item.id);
    expect(entry).to.include({ actor_id: writer, request_id: 'req-history-1', source: 'http' });
  });
});
