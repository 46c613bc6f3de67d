import { expect } from 'chai';
import pg from 'pg';
import { migrateUp } from '../../app/db/migration-runner';
import type { TestDatabase } from '../support/test-database';
import { AUDITED_TABLES, auditMigrationOf } from '../../app/audit/audit-spec';
import { addedColumns } from '../../app/registry';
import { count, createPreAuditDatabase, migrationBefore } from './audit-database';

describe('Concurrency: online DDL', () => {
  let db: TestDatabase;
  const clients: pg.Client[] = [];

  async function connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase(500));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.end();
    await db.drop();
  });

  for (const spec of AUDITED_TABLES) {
    const [added] = addedColumns(spec);
    it(`when a long transaction holds ${spec.table}, adding its audit columns waits without holding up a writer behind it`, async () => {
      const longReader = await connect();
      const writer = await connect();
      await migrateUp(db.sequelize, db.url, {
        to: migrationBefore(auditMigrationOf(spec.table, 'columns')),
      });
      await longReader.query('BEGIN');
      await longReader.query(`SELECT count(*) FROM ${spec.table}`);
      const migration = migrateUp(db.sequelize, db.url, {
        to: auditMigrationOf(spec.table, 'columns'),
      });

      // While the ALTER retries, writes keep going: each waits at most one lock_timeout.
      let worst = 0;
      const until = Date.now() + 1500;
      while (Date.now() < until) {
        const started = Date.now();
        await writer.query(
          `UPDATE ${spec.table} SET updated_at = now() WHERE id = (SELECT min(id) FROM ${spec.table})`,
        );
        worst = Math.max(worst, Date.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await longReader.query('COMMIT');
      await migration;

      expect(worst, `worst write ${worst} ms`).to.be.below(500);
      expect(
        await count(
          db.sequelize,
          `SELECT count(*) AS n FROM information_schema.columns WHERE table_name = '${spec.table}' AND column_name = '${added!.name}'`,
        ),
      ).to.equal(1);
    });

    it(`when a failed concurrent build left an INVALID index under the name of one of ${spec.table}'s audit indexes, the index migration replaces it with a valid one`, async () => {
      await migrateUp(db.sequelize, db.url, {
        to: migrationBefore(auditMigrationOf(spec.table, 'indexes')),
      });
      const client = await connect();
      const [index] = spec.indexes;
      // A unique build over duplicates fails and leaves its INVALID index behind.
      const failed = await client
        .query(`CREATE UNIQUE INDEX CONCURRENTLY ${index!.name} ON ${spec.table} ((1))`)
        .then(
          () => false,
          () => true,
        );
      expect(failed).to.equal(true);
      const invalid = `SELECT count(*) AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE c.relname = '${index!.name}' AND NOT i.indisvalid`;
      expect(await count(db.sequelize, invalid)).to.equal(1);

      await migrateUp(db.sequelize, db.url, { to: auditMigrationOf(spec.table, 'indexes') });

      expect(await count(db.sequelize, invalid)).to.equal(0);
      const [rows] = await db.sequelize.query(
        `SELECT pg_get_indexdef('${index!.name}'::regclass) AS def`,
      );
      expect((rows as { def: string }[])[0]!.def)
        .to.include(`(${index!.columns.join(', ')})`)
        .and.not.include('UNIQUE');
    });
  }
});
