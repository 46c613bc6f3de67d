import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs } from '../../app/context';
import { AUDITED_TABLES } from '../../app/audit/audit-spec';
import { countWhereSql, ruleViolation } from '../../app/audit/rule-sql';
import { Campaign, Character, Item, User } from '../../models';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import { useTestDatabase } from '../support/test-database';

/*
 * Writes that do not come through the models (a previous app version that
 * knows nothing of the audit columns, an operator's raw SQL) and how the
 * database's audit triggers treat them.
 */
describe('Audit triggers: writes from outside the app', () => {
  const db = useTestDatabase('latest');

  async function one<T extends object>(
    sql: string,
    replacements: Record<string, unknown> = {},
  ): Promise<T> {
    const [row] = await db.current.sequelize.query<T>(sql, {
      type: QueryTypes.SELECT,
      replacements,
    });
    return row!;
  }

  async function audit(table: string, id: number) {
    return one<{ created_by: number | null; modified_by: number | null }>(
      `SELECT created_by, modified_by FROM ${table} WHERE id = :id`,
      { id },
    );
  }

  it('when a previous version inserts rows without the audit columns, every audited table fills them by its backfill rule', async () => {
    // The generator writes as a pre-audit version would: no audit column named.
    await fillPreAuditData(db.current.sequelize, { rows: 200 });
    for (const spec of AUDITED_TABLES) {
      expect(
        await one<{ n: string }>(countWhereSql(spec, 'true')).then((r) => Number(r.n)),
        spec.table,
      ).to.be.above(0);
      expect(
        Number((await one<{ n: string }>(countWhereSql(spec, ruleViolation(spec)))).n),
        `${spec.table}: rows off the rule`,
      ).to.equal(0);
    }
  });

  it('when a previous version updates a row the app had stamped, modified_by becomes NULL instead of naming the earlier editor', async () => {
    await fillPreAuditData(db.current.sequelize, { rows: 20 });
    const editor = await User.create({ username: 'editor', email: '', passwordHash: 'x' });
    const item = (await Item.findOne({ order: [['id', 'ASC']] }))!;
    await runAs(editor.id, () => item.update({ description: 'by the app' }));
    expect((await audit('items', item.id)).modified_by).to.equal(editor.id);
    const creator = item.createdBy;

    await db.current.sequelize.query(
      `UPDATE items SET description = 'by the previous version', updated_at = now() WHERE id = :id`,
      { replacements: { id: item.id } },
    );

    expect(await audit('items', item.id)).to.deep.equal({ created_by: creator, modified_by: null });
  });

  it('when the same user edits again through the app, on a freshly loaded row, the write keeps that user as modifier', async () => {
    await fillPreAuditData(db.current.sequelize, { rows: 20 });
    const editor = await User.create({ username: 'editor', email: '', passwordHash: 'x' });
    const id = (await Character.findOne({ order: [['id', 'ASC']] }))!.id;
    // Each write loads the row anew, as each HTTP request does.
    const fresh = async () => (await Character.findByPk(id))!;
    await runAs(editor.id, async () => {
      await (await fresh()).update({ description: 'first' });
      await (await fresh()).update({ description: 'second' });
      expect((await audit('characters', id)).modified_by, 'update()').to.equal(editor.id);
      const hero = await fresh();
      hero.description = 'third';
      await hero.save();
      expect((await audit('characters', id)).modified_by, 'save()').to.equal(editor.id);
      await Character.update({ description: 'fourth' }, { where: { id } });
      expect((await audit('characters', id)).modified_by, 'Model.update').to.equal(editor.id);
    });
  });

  it('when an update names modified_by itself, or changes only audit columns, the modifier is what it says', async () => {
    await fillPreAuditData(db.current.sequelize, { rows: 20 });
    const [first, second] = await Item.findAll({ order: [['id', 'ASC']], limit: 2 });
    const operator = await User.create({ username: 'operator', email: '', passwordHash: 'x' });
    await db.current.sequelize.query(
      `UPDATE items SET name = 'fixed by hand', modified_by = :op WHERE id = :id`,
      { replacements: { op: operator.id, id: first!.id } },
    );
    expect((await audit('items', first!.id)).modified_by).to.equal(operator.id);

    // A foreign key's ON DELETE SET NULL changes created_by only: the modifier stays.
    const before = await audit('items', second!.id);
    await db.current.sequelize.query(`UPDATE items SET created_by = :op WHERE id = :id`, {
      replacements: { op: operator.id, id: second!.id },
    });
    await db.current.sequelize.query('DELETE FROM users WHERE id = :op', {
      replacements: { op: operator.id },
    });
    expect(await audit('items', second!.id)).to.deep.equal({
      created_by: null,
      modified_by: before.modified_by,
    });
  });

  it("when a campaign's owner account is deleted, the campaign keeps the GM who last changed it", async () => {
    const owner = await User.create({ username: 'owner', email: '', passwordHash: 'x' });
    const gm = await User.create({ username: 'gamemaster', email: '', passwordHash: 'x' });
    const campaign = await runAs(owner.id, () => Campaign.create({ name: 'c', ownerId: owner.id }));
    await runAs(gm.id, () => campaign.update({ description: 'edited by the GM' }));

    await db.current.sequelize.query('DELETE FROM users WHERE id = :id', {
      replacements: { id: owner.id },
    });

    expect(await audit('campaigns', campaign.id)).to.deep.equal({
      created_by: null,
      modified_by: gm.id,
    });
  });

  it('when an app write and a raw update share a transaction, the raw one still loses its stale modifier', async () => {
    await fillPreAuditData(db.current.sequelize, { rows: 20 });
    const editor = await User.create({ username: 'editor', email: '', passwordHash: 'x' });
    const [a, b] = await Item.findAll({ order: [['id', 'ASC']], limit: 2 });
    await runAs(editor.id, () => b!.update({ description: 'b by the app' }));
    await db.current.sequelize.transaction(async (transaction) => {
      await runAs(editor.id, () => a!.update({ description: 'a by the app' }, { transaction }));
      await db.current.sequelize.query(`UPDATE items SET name = 'raw' WHERE id = :id`, {
        replacements: { id: b!.id },
        transaction,
      });
    });
    expect((await audit('items', a!.id)).modified_by).to.equal(editor.id);
    expect((await audit('items', b!.id)).modified_by).to.equal(null);
  });
});
