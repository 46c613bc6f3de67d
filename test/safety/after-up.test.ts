import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

const AUDIT_FKS = [
  'characters_created_by_fkey',
  'characters_modified_by_fkey',
  'items_modified_by_fkey',
  'locations_modified_by_fkey',
];
const TABLES = ['characters', 'items', 'locations'];
const INDEXED = ['created_at', 'updated_at', 'created_by', 'modified_by'];

describe('Audit migrations: the state after up', () => {
  let db: TestDatabase;
  let itemsBefore: { id: number; created_by: number | null }[];

  before(async () => {
    ({ db } = await createPreAuditDatabase(2000));
    itemsBefore = await db.sequelize.query('SELECT id, created_by FROM items ORDER BY id', {
      type: QueryTypes.SELECT,
    });
    await migrateAll(db);
  });
  after(async () => {
    await db?.drop();
  });

  describe('Default values', () => {
    it('when up has run, every character has created_by = modified_by = player_owner_id', async () => {
      expect(await count(db.sequelize, 'SELECT count(*) AS n FROM characters')).to.equal(2000);
      expect(
        await count(
          db.sequelize,
          `SELECT count(*) AS n FROM characters
            WHERE created_by IS DISTINCT FROM player_owner_id OR modified_by IS DISTINCT FROM player_owner_id`,
        ),
      ).to.equal(0);
    });

    for (const table of ['items', 'locations']) {
      it(`when up has run, ${table} have modified_by = created_by, the campaign owner where created_by was NULL, and NULL only where nobody is known`, async () => {
        const sql = (where: string) =>
          `SELECT count(*) AS n FROM ${table} t JOIN campaigns c ON c.id = t.campaign_id WHERE ${where}`;
        expect(
          await count(db.sequelize, sql('t.modified_by IS DISTINCT FROM t.created_by')),
        ).to.equal(0);
        expect(
          await count(db.sequelize, sql('t.created_by IS NULL AND c.owner_id IS NOT NULL')),
        ).to.equal(0);
        // The awkward case is present, so the check above is not vacuous.
        expect(
          await count(db.sequelize, sql('t.modified_by IS NULL AND c.owner_id IS NULL')),
        ).to.be.above(0);
      });
    }

    it('when up has run, items whose created_by was set keep it, and the others got their campaign owner', async () => {
      const after = await db.sequelize.query<{
        id: number;
        created_by: number | null;
        owner: number | null;
      }>(
        'SELECT i.id, i.created_by, c.owner_id AS owner FROM items i JOIN campaigns c ON c.id = i.campaign_id ORDER BY i.id',
        { type: QueryTypes.SELECT },
      );
      expect(after).to.have.length(itemsBefore.length);
      after.forEach((row, i) => {
        const before = itemsBefore[i]!;
        expect(row.id).to.equal(before.id);
        expect(row.created_by).to.equal(before.created_by ?? row.owner);
      });
    });
  });

  describe('Data integrity', () => {
    it('when up has run, every audit foreign key is validated and ON DELETE SET NULL', async () => {
      const rows = await db.sequelize.query<{
        conname: string;
        convalidated: boolean;
        confdeltype: string;
      }>(
        `SELECT conname, convalidated, confdeltype FROM pg_constraint WHERE conname IN (:names) ORDER BY conname`,
        { type: QueryTypes.SELECT, replacements: { names: AUDIT_FKS } },
      );
      expect(rows.map((r) => r.conname)).to.deep.equal([...AUDIT_FKS].sort());
      for (const row of rows) {
        expect(row.convalidated, row.conname).to.equal(true);
        expect(row.confdeltype, row.conname).to.equal('n');
      }
    });

    it('when up has run, every new column has a comment', async () => {
      const rows = await db.sequelize.query<{ column: string; comment: string | null }>(
        `SELECT c.relname || '.' || a.attname AS column, col_description(c.oid, a.attnum) AS comment
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          WHERE c.relname IN (:tables) AND a.attname IN (:columns) AND NOT a.attisdropped`,
        {
          type: QueryTypes.SELECT,
          replacements: { tables: TABLES, columns: ['created_by', 'modified_by'] },
        },
      );
      const added = rows.filter(
        (r) => r.column !== 'items.created_by' && r.column !== 'locations.created_by',
      );
      expect(added.map((r) => r.column).sort()).to.deep.equal([
        'characters.created_by',
        'characters.modified_by',
        'items.modified_by',
        'locations.modified_by',
      ]);
      for (const row of added) expect(row.comment, row.column).to.match(/^User who/);
    });

    it('when a user whose id is in audit columns is deleted, the rows stay and the audit columns become NULL', async () => {
      const [[user]] = (await db.sequelize.query(
        `INSERT INTO users (username, password_hash, created_at, updated_at)
         VALUES ('editor-to-delete', 'x', now(), now()) RETURNING id`,
      )) as [{ id: number }[], unknown];
      for (const table of TABLES) {
        await db.sequelize.query(
          `UPDATE ${table} SET modified_by = :id WHERE id IN (SELECT id FROM ${table} ORDER BY id LIMIT 5)`,
          {
            replacements: { id: user!.id },
          },
        );
      }
      await db.sequelize.query('DELETE FROM users WHERE id = :id', {
        replacements: { id: user!.id },
      });
      for (const table of TABLES) {
        expect(await count(db.sequelize, `SELECT count(*) AS n FROM ${table}`), table).to.equal(
          2000,
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
    it('when up has run, created_at, updated_at and the audit columns of all three tables have valid indexes', async () => {
      const rows = await db.sequelize.query<{ table: string; column: string; valid: boolean }>(
        `SELECT t.relname AS table, a.attname AS column, i.indisvalid AS valid
           FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
          WHERE t.relname IN (:tables) AND i.indnatts = 1`,
        { type: QueryTypes.SELECT, replacements: { tables: TABLES } },
      );
      for (const table of TABLES) {
        for (const column of INDEXED) {
          const found = rows.filter((r) => r.table === table && r.column === column);
          expect(found, `${table}.${column}`).to.have.length(1);
          expect(found[0]!.valid, `${table}.${column}`).to.equal(true);
        }
      }
    });

    for (const table of TABLES) {
      for (const column of ['created_at', 'updated_at']) {
        it(`when ${table} are queried by ${column}, the plan uses the new index`, async () => {
          const plan = await db.sequelize.transaction(async (transaction) => {
            await db.sequelize.query('SET LOCAL enable_seqscan = off', { transaction });
            const rows = await db.sequelize.query<{ 'QUERY PLAN': string }>(
              `EXPLAIN SELECT id FROM ${table} WHERE ${column} > now() - interval '7 days' ORDER BY ${column} DESC LIMIT 10`,
              { type: QueryTypes.SELECT, transaction },
            );
            return rows.map((r) => r['QUERY PLAN']).join('\n');
          });
          expect(plan).to.include(`${table}_${column}_idx`);
        });
      }
    }
  });
});
