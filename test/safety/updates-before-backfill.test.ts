import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { AUDITED_TABLES } from '../../app/audit/audit-spec';
import { CLEARED_MODIFIERS_TABLE } from '../../app/audit/cleared-modifiers';
import { countWhereSql, ruleCreator, ruleViolation } from '../../app/audit/rule-sql';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

/*
 * A rolling upgrade: the previous app version (raw SQL that names no audit
 * column) updates rows after the audit columns exist but before the backfill
 * reaches them. Those rows must end with modified_by NULL (unknown), not the
 * backfill rule's guess; every other row follows the rule.
 */
describe('Rolling upgrade: rows the previous version updates before the backfill reaches them', () => {
  let db: TestDatabase;
  const FIRST_BACKFILL = '20261124100400-backfill-audit-fields-of-characters.ts';
  const CLEAR_PASSES = '20261129400100-clear-unattributed-modifiers-of-characters.ts';
  const CLEARED_MODIFIERS_MIGRATION = '20261129400000-create-audit-cleared-modifiers.ts';

  async function ids(table: string, n: number): Promise<number[]> {
    const rows = await db.sequelize.query<{ id: number }>(
      `SELECT id FROM ${table} ORDER BY id DESC LIMIT ${n}`,
      { type: QueryTypes.SELECT },
    );
    return rows.map((row) => row.id);
  }

  async function modifiers(table: string, list: number[]): Promise<(number | null)[]> {
    const rows = await db.sequelize.query<{ modified_by: number | null }>(
      `SELECT modified_by FROM ${table} WHERE id IN (:list) ORDER BY id`,
      { type: QueryTypes.SELECT, replacements: { list } },
    );
    return rows.map((row) => row.modified_by);
  }

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase(60));
  });
  afterEach(() => db?.drop());

  it('when the previous version updates rows between the audit columns and the backfill, they end with modified_by NULL and every other row follows the rule; the down restores the rule values', async () => {
    await migrateUp(db.sequelize, db.url, {
      to: '20261124100330-add-audit-triggers-to-locations.ts',
    });
    const touched: Record<string, number[]> = {};
    for (const spec of AUDITED_TABLES) {
      // The newest rows: the backfill walks ids upwards and reaches them last.
      touched[spec.table] = await ids(spec.table, 3);
      await db.sequelize.query(
        `UPDATE ${spec.table} SET name = name || ' (edited)', updated_at = now() WHERE id IN (:list)`,
        { replacements: { list: touched[spec.table] } },
      );
    }

    await migrateAll(db);

    for (const spec of AUDITED_TABLES) {
      const list = touched[spec.table]!;
      expect(
        await modifiers(spec.table, list),
        `${spec.table} rows the previous version updated`,
      ).to.deep.equal(list.map(() => null));
      const others = await count(
        db.sequelize,
        countWhereSql(spec, `${ruleViolation(spec)} AND t.id <> ALL('{${list.join(',')}}')`),
      );
      expect(others, `${spec.table} other rows off the rule`).to.equal(0);
    }
    // Each touched row the rule gives someone for was cleared, and noted for the down.
    let guessed = 0;
    for (const spec of AUDITED_TABLES) {
      guessed += await count(
        db.sequelize,
        countWhereSql(
          spec,
          `t.id IN (${touched[spec.table]!.join(',')}) AND ${ruleCreator(spec)} IS NOT NULL`,
        ),
      );
    }
    expect(guessed).to.be.above(0);
    expect(
      await count(db.sequelize, `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE}`),
    ).to.equal(guessed);

    // Rolling the passes back restores what the backfill had written, and forgets it.
    await migrateDown(db.sequelize, db.url, { to: CLEAR_PASSES });
    for (const spec of AUDITED_TABLES) {
      expect(
        await count(db.sequelize, countWhereSql(spec, ruleViolation(spec))),
        `${spec.table} rows off the rule after the down`,
      ).to.equal(0);
    }
    expect(
      await count(db.sequelize, `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE}`),
    ).to.equal(0);
  });

  it("when a row's newest entry is an unattributed update but an app user is its modifier (the app's transaction began before the previous version's write and committed after it), the passes keep that modifier", async () => {
    await migrateUp(db.sequelize, db.url, { to: CLEARED_MODIFIERS_MIGRATION });
    const [editor] = await db.sequelize.query<{ id: number }>(
      `INSERT INTO users (username, password_hash, created_at, updated_at)
       VALUES ('late-committer', 'x', now(), now()) RETURNING id`,
      { type: QueryTypes.SELECT },
    );
    const kept: Record<string, number[]> = {};
    for (const spec of AUDITED_TABLES) {
      kept[spec.table] = await ids(spec.table, 2);
      // The app's write names its user (modified_by is not a recorded column,
      // so it leaves no entry of its own), and the previous version's update
      // is on record after it, with no actor.
      await db.sequelize.query(
        `UPDATE ${spec.table} SET modified_by = :editor WHERE id IN (:list)`,
        { replacements: { editor: editor!.id, list: kept[spec.table] } },
      );
      await db.sequelize.query(
        `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
         SELECT clock_timestamp() + interval '1 second', :table, t.id, t.${spec.campaignColumn},
                'update', '{"name": {"from": "a", "to": "b"}}'::jsonb
           FROM ${spec.table} t WHERE t.id IN (:list)`,
        { replacements: { table: spec.table, list: kept[spec.table] } },
      );
    }

    await migrateAll(db);

    for (const spec of AUDITED_TABLES) {
      const list = kept[spec.table]!;
      expect(await modifiers(spec.table, list), spec.table).to.deep.equal(
        list.map(() => editor!.id),
      );
    }
    expect(
      await count(db.sequelize, `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE}`),
    ).to.equal(0);
  });

  it('when nobody wrote outside the app, the passes clear nothing', async () => {
    await migrateUp(db.sequelize, db.url, { to: FIRST_BACKFILL });
    await migrateAll(db);
    for (const spec of AUDITED_TABLES) {
      expect(
        await count(db.sequelize, countWhereSql(spec, ruleViolation(spec))),
        spec.table,
      ).to.equal(0);
    }
    expect(
      await count(db.sequelize, `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE}`),
    ).to.equal(0);
  });
});
