import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { AUDITED_TABLES } from '../../app/audit/audit-spec';
import { addedColumns } from '../../app/registry';
import { countWhereSql, ruleCreator, ruleViolation } from '../../app/audit/rule-sql';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

const ROWS = 2000;

describe('Audit migrations: the state after up', () => {
  let db: TestDatabase;
  /** created_by before the migration, where it existed before. */
  const creatorsBefore = new Map<string, { id: number; created_by: number | null }[]>();

  before(async () => {
    ({ db } = await createPreAuditDatabase(ROWS));
    for (const spec of AUDITED_TABLES.filter((s) => s.columns.created_by.existedBefore)) {
      creatorsBefore.set(
        spec.table,
        await db.sequelize.query(`SELECT id, created_by FROM ${spec.table} ORDER BY id`, {
          type: QueryTypes.SELECT,
        }),
      );
    }
    await migrateAll(db);
  });
  after(async () => {
    await db?.drop();
  });

  describe('Default values', () => {
    for (const spec of AUDITED_TABLES) {
      it(`when up has run, every row of ${spec.table} follows the rule (${spec.rule.summary})`, async () => {
        expect(await count(db.sequelize, `SELECT count(*) AS n FROM ${spec.table}`)).to.be.above(0);
        expect(await count(db.sequelize, countWhereSql(spec, ruleViolation(spec)))).to.equal(0);
      });

      it(`when up has run, ${spec.table} keep NULL audit fields exactly where the rule names nobody`, async () => {
        const nobody = await count(
          db.sequelize,
          countWhereSql(spec, `${ruleCreator(spec)} IS NULL`),
        );
        expect(await count(db.sequelize, countWhereSql(spec, 't.modified_by IS NULL'))).to.equal(
          nobody,
        );
      });
    }

    for (const spec of AUDITED_TABLES.filter((s) => s.columns.created_by.existedBefore)) {
      it(`when up has run, ${spec.table} whose created_by was set keep it, and the others got the rule's creator`, async () => {
        const after = await db.sequelize.query<{
          id: number;
          created_by: number | null;
          rule: number | null;
        }>(
          `SELECT t.id, t.created_by, ${spec.rule.source} AS rule FROM ${spec.table} t ${spec.rule.joins ?? ''} ORDER BY t.id`,
          { type: QueryTypes.SELECT },
        );
        const before = creatorsBefore.get(spec.table)!;
        expect(after).to.have.length(before.length);
        after.forEach((row, i) => {
          expect(row.id).to.equal(before[i]!.id);
          expect(row.created_by).to.equal(before[i]!.created_by ?? row.rule);
        });
      });
    }
  });

  describe('Data integrity', () => {
    for (const spec of AUDITED_TABLES) {
      it(`when up has run, every audit foreign key of ${spec.table} is validated and ON DELETE SET NULL`, async () => {
        const names = spec.foreignKeys.map((fk) => fk.name);
        const rows = await db.sequelize.query<{
          conname: string;
          convalidated: boolean;
          confdeltype: string;
        }>(
          `SELECT conname, convalidated, confdeltype FROM pg_constraint WHERE conname IN (:names) ORDER BY conname`,
          { type: QueryTypes.SELECT, replacements: { names } },
        );
        expect(rows.map((r) => r.conname)).to.deep.equal([...names].sort());
        for (const row of rows) {
          expect(row.convalidated, row.conname).to.equal(true);
          expect(row.confdeltype, row.conname).to.equal('n');
        }
      });

      it(`when up has run, every audit column added to ${spec.table} carries its comment`, async () => {
        for (const { name, comment } of addedColumns(spec)) {
          const [row] = await db.sequelize.query<{ comment: string | null }>(
            `SELECT col_description(c.oid, a.attnum) AS comment
               FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              WHERE c.relname = :table AND a.attname = :name AND NOT a.attisdropped`,
            { type: QueryTypes.SELECT, replacements: { table: spec.table, name } },
          );
          expect(row?.comment, `${spec.table}.${name}`).to.equal(comment);
        }
      });
    }

    it('when a user whose id is in audit columns is deleted, the rows stay and the audit columns become NULL', async () => {
      const [[user]] = (await db.sequelize.query(
        `INSERT INTO users (username, password_hash, created_at, updated_at)
         VALUES ('editor-to-delete', 'x', now(), now()) RETURNING id`,
      )) as [{ id: number }[], unknown];
      const totals = new Map<string, number>();
      for (const { table } of AUDITED_TABLES) {
        totals.set(table, await count(db.sequelize, `SELECT count(*) AS n FROM ${table}`));
        await db.sequelize.query(
          `UPDATE ${table} SET modified_by = :id WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT 5)`,
          { replacements: { id: user!.id } },
        );
      }
      await db.sequelize.query('DELETE FROM users WHERE id = :id', {
        replacements: { id: user!.id },
      });
      for (const { table } of AUDITED_TABLES) {
        expect(await count(db.sequelize, `SELECT count(*) AS n FROM ${table}`), table).to.equal(
          totals.get(table),
        );
        expect(
          await count(
            db.sequelize,
            `SELECT count(*) AS n FROM ${table} WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT 5) AND modified_by IS NULL`,
          ),
          table,
        ).to.equal(5);
      }
    });
  });

  describe('Performance', () => {
    for (const spec of AUDITED_TABLES) {
      it(`when up has run, every audit index of ${spec.table} exists on its columns and is valid`, async () => {
        const rows = await db.sequelize.query<{ name: string; def: string; valid: boolean }>(
          `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = :table::regclass`,
          { type: QueryTypes.SELECT, replacements: { table: spec.table } },
        );
        for (const index of spec.indexes) {
          const found = rows.find((r) => r.name === index.name);
          expect(found, index.name).to.not.equal(undefined);
          expect(found!.valid, index.name).to.equal(true);
          expect(found!.def, index.name).to.include(`(${index.columns.join(', ')})`);
        }
      });

      for (const index of spec.indexes.filter((i) => /_at$/.test(i.columns[0]!))) {
        const column = index.columns[0]!;
        it(`when ${spec.table} are queried by ${column}, the plan uses ${index.name}`, async () => {
          const plan = await db.sequelize.transaction(async (transaction) => {
            await db.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
            const rows = await db.sequelize.query<{ 'QUERY PLAN': string }>(
              `EXPLAIN SELECT id FROM ${spec.table} WHERE ${column} > now() - interval '7 days' ORDER BY ${column} DESC LIMIT 10`,
              { type: QueryTypes.SELECT, transaction },
            );
            return rows.map((r) => r['QUERY PLAN']).join('\n');
          });
          expect(plan).to.include(index.name);
        });
      }
    }
  });
});
