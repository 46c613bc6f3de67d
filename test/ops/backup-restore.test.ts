import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { RECORD_SCHEMA } from '../../app/db/migration-lib/recorded-fills';
import { createBackup } from '../../app/ops/backup/create-backup';
import { readManifest } from '../../app/ops/backup/manifest';
import { restoreBackup } from '../../app/ops/backup/restore-backup';
import { historyMigrations } from '../../app/history/history-spec';
import { Character } from '../../models';
import { fillTables } from '../support/fill-tables';
import {
  allEntries,
  campaignWithHistory,
  ensurePartitions,
  insertEntriesAt,
} from '../support/history-entries';
import { dataFingerprint, schemaFingerprint } from '../support/fingerprint';
import { PROJECT_ROOT, appCommand, runCommand } from '../support/run-command';
import { createTestDatabase, useTestDatabase, type TestDatabase } from '../support/test-database';
import { FIRST_AUDIT, createPreAuditDatabase, migrateAll } from '../safety/audit-database';

const ARCHIVE = 'audit_archive.field_values';
/** The record's tables, and what of each row to compare (a run's time is when it ran, on each database). */
const FILL_RECORD: Record<string, string> = {
  [`${RECORD_SCHEMA}.runs`]: '(t.id, t.migration, t.table_name, t.step)',
  [`${RECORD_SCHEMA}.fills`]: 't',
  [`${RECORD_SCHEMA}.archived`]: 't',
};
const LAST_BACKFILL = '20261124100600-backfill-audit-fields-of-locations.ts';

/**
 * Every table of the database, by a fresh query: each table of `public`
 * (the migration history included) and the audit archive when it exists.
 * Login tokens are left out of backups on purpose, so out of the comparison.
 */
async function fingerprints(db: TestDatabase): Promise<Record<string, string>> {
  const { auth_tokens: _tokens, ...tables } = await dataFingerprint(db.sequelize);
  const lines: Record<string, string> = { ...tables };
  // The audit archive, and the runner's record of what the fill migrations
  // wrote (what their downs restore), when they exist.
  for (const [table, row] of Object.entries({ [ARCHIVE]: 't', ...FILL_RECORD })) {
    const [exists] = await db.sequelize.query<{ found: boolean }>(
      `SELECT to_regclass('${table}') IS NOT NULL AS found`,
      { type: QueryTypes.SELECT },
    );
    if (!exists!.found) {
      lines[table] = 'absent';
      continue;
    }
    const [content] = await db.sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(${row}::text, E'\\n' ORDER BY ${row}::text)), '-') AS line
         FROM ${table} t`,
      { type: QueryTypes.SELECT },
    );
    lines[table] = content!.line;
  }
  return lines;
}

/**
 * The tables of `public` by a fresh catalog query, as a backup must list them:
 * a partitioned table (the history) once, its partitions not on their own.
 */
async function publicTables(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ t: string }>(
    `SELECT relname AS t FROM pg_class
      WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') AND NOT relispartition
      ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.t);
}

/** Every partition of `public` with its parent and bound, by a fresh catalog query. */
async function partitionsOf(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ line: string }>(
    `SELECT i.inhparent::regclass::text || ' ' || c.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) AS line
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE c.relnamespace = 'public'::regnamespace AND c.relispartition ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.line);
}

/** The functions of `public`, by name and result type. */
async function functionsOf(sequelize: Sequelize): Promise<string[]> {
  const rows = await sequelize.query<{ line: string }>(
    `SELECT proname || ' ' || prorettype::regtype::text AS line FROM pg_proc
      WHERE pronamespace = 'public'::regnamespace ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.line);
}

/** Memberships and login tokens, which fillTables does not write. */
async function fillMembershipsAndTokens(sequelize: Sequelize): Promise<void> {
  await sequelize.query(`
    INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
    SELECT c.id, u.id, (ARRAY['GM', 'PLAYER', 'OBSERVER'])[1 + (c.id + u.id) % 3], now(), now()
      FROM campaigns c JOIN users u ON u.id % 4 = c.id % 4 AND u.username <> 'system'
    ON CONFLICT DO NOTHING;
    INSERT INTO auth_tokens (user_id, token_hash, expires_at, created_at, updated_at)
    SELECT id, md5(id::text) || md5(username), now() + interval '1 day', now(), now()
      FROM users WHERE username <> 'system';`);
}

describe('db:backup and db:restore', () => {
  const source = useTestDatabase('latest');
  let target: TestDatabase | undefined;
  let folder: string;

  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-backup-test-'));
  });
  afterEach(async () => {
    await target?.drop();
    target = undefined;
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('when a backup is restored into an empty database, every table has the same fingerprint, the same migrations are applied, and login tokens are left out as the manifest says', async () => {
    const counts = await fillTables(source.current.sequelize, 300);
    await fillMembershipsAndTokens(source.current.sequelize);
    // Audit values the insert trigger would fill differently: a creator whose
    // account was deleted, on rows whose campaign owner is known.
    await source.current.sequelize.query(
      'UPDATE items SET created_by = NULL WHERE id % 5 = 0; UPDATE characters SET created_by = NULL WHERE id % 7 = 0',
    );
    const dir = path.join(folder, 'b1');
    const manifest = await createBackup(source.current.url, { dir });
    expect(manifest.tables.find((t) => t.table === 'characters')?.rows).to.equal(counts.characters);
    expect(manifest.tables.find((t) => t.table === 'campaign_memberships')?.rows).to.be.above(0);
    // Every table of the schema, by the catalog: only the history (in the
    // manifest) and the login tokens (excluded, with the reason) are not
    // dumped; the runner's record of fills is there too.
    expect(
      manifest.tables.filter((t) => t.schema === RECORD_SCHEMA).map((t) => t.table),
    ).to.have.members(['runs', 'fills', 'archived']);
    expect(
      manifest.tables
        .filter((t) => !t.schema)
        .map((t) => t.table)
        .sort(),
    ).to.deep.equal(
      (await publicTables(source.current.sequelize)).filter(
        (t) => t !== 'SequelizeMeta' && t !== 'auth_tokens',
      ),
    );
    expect(manifest.excluded?.map((e) => e.table)).to.deep.equal(['auth_tokens']);

    target = await createTestDatabase('empty');
    await restoreBackup(target.url, { dir });

    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
    expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
      await schemaFingerprint(source.current.sequelize),
    );
    const [tokens] = await target.sequelize.query('SELECT count(*)::int AS n FROM auth_tokens');
    expect(tokens).to.deep.equal([{ n: 0 }]);
  });

  it('when a backup of a rolled-back database (archive holding values, backfill log) is restored, every table and the archive match, and re-applying the migrations restores the archived audit values', async () => {
    const { db: rolled } = await createPreAuditDatabase(300);
    try {
      await migrateAll(rolled);
      const [[editor]] = (await rolled.sequelize.query(
        `INSERT INTO users (username, password_hash, created_at, updated_at)
         VALUES ('editor', 'x', now(), now()) RETURNING id`,
      )) as [Array<{ id: number }>, unknown];
      // Values the app recorded, which no backfill rule derives.
      await rolled.sequelize.query(
        `UPDATE characters SET modified_by = ${editor!.id} WHERE id % 3 = 0`,
      );
      await rolled.sequelize.query(`UPDATE items SET modified_by = ${editor!.id} WHERE id % 4 = 0`);
      const audit = `SELECT 'c' || id || ':' || modified_by FROM characters UNION ALL
                     SELECT 'i' || id || ':' || modified_by FROM items ORDER BY 1`;
      const recorded = await rolled.sequelize.query(audit, { type: QueryTypes.SELECT });
      await migrateDown(rolled.sequelize, rolled.url, { to: FIRST_AUDIT });
      const source = await fingerprints(rolled);
      expect(source[ARCHIVE]).to.not.equal('absent');

      const dir = path.join(folder, 'rolled');
      const manifest = await createBackup(rolled.url, { dir });
      expect(manifest.tables.map((t) => `${t.schema ?? 'public'}.${t.table}`)).to.include(ARCHIVE);

      target = await createTestDatabase('empty');
      await restoreBackup(target.url, { dir });
      expect(await fingerprints(target)).to.deep.equal(source);
      expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
        await schemaFingerprint(rolled.sequelize),
      );

      await migrateAll(target);
      expect(await target.sequelize.query(audit, { type: QueryTypes.SELECT })).to.deep.equal(
        recorded,
      );
      await migrateAll(rolled);
      expect(await fingerprints(target)).to.deep.equal(await fingerprints(rolled));
    } finally {
      await rolled.drop();
    }
  });

  it('when the source has pending migrations (backfilled, keys not yet added), the restore ends in the same migration state, every table (backfill log and the record of fills included) matches, and the rest of the migrations end alike', async () => {
    const { db: partial } = await createPreAuditDatabase(200);
    try {
      await fillMembershipsAndTokens(partial.sequelize);
      await migrateUp(partial.sequelize, partial.url, { to: LAST_BACKFILL });
      const before = await migrationStatus(partial.sequelize);
      expect(before.pending).to.not.deep.equal([]);
      const [log] = await partial.sequelize.query(
        'SELECT count(*)::int AS n FROM audit_backfill_log',
        { type: QueryTypes.SELECT },
      );
      expect((log as { n: number }).n).to.be.above(0);
      const [fills] = await partial.sequelize.query(
        `SELECT count(*)::int AS n FROM ${RECORD_SCHEMA}.fills`,
        { type: QueryTypes.SELECT },
      );
      expect((fills as { n: number }).n, 'the backfills recorded what they wrote').to.be.above(0);
      const dir = path.join(folder, 'partial');
      await createBackup(partial.url, { dir });

      target = await createTestDatabase('empty');
      await restoreBackup(target.url, { dir });

      expect(await migrationStatus(target.sequelize)).to.deep.equal(before);
      expect(await fingerprints(target)).to.deep.equal(await fingerprints(partial));
      expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
        await schemaFingerprint(partial.sequelize),
      );
      await migrateAll(target);
      await migrateAll(partial);
      expect(await fingerprints(target)).to.deep.equal(await fingerprints(partial));
    } finally {
      await partial.drop();
    }
  });

  it("when the history holds entries over several months, the restore brings back every entry exactly, each in its month's partition, and the sequence where the source's stood", async () => {
    const { sequelize } = source.current;
    const saga = await campaignWithHistory('saga');
    // Partitions from last December on, as a history kept that long has.
    await ensurePartitions(sequelize, '2025-12-01', new Date().toISOString());
    await insertEntriesAt(sequelize, saga.campaignId, [
      '2025-12-01T00:00:00Z',
      '2026-03-15T12:34:56.789012Z',
      '2026-06-30T23:59:59.999999Z',
      '2026-08-01T00:00:00Z',
    ]);
    await Character.destroy({ where: { id: saga.characterId } });
    const entries = await allEntries(sequelize);
    expect(entries.map((e) => e.partition)).to.include.members([
      'history_entries_p202512',
      'history_entries_p202603',
      'history_entries_p202606',
      'history_entries_p202608',
    ]);
    expect(entries.filter((e) => e.actor_id === saga.userId)).to.have.length.above(4);
    const dir = path.join(folder, 'history');
    const manifest = await createBackup(source.current.url, { dir });
    // Once, from the partitioned table; its partitions are not dumped again.
    expect(manifest.tables.filter((t) => t.table.startsWith('history_entries'))).to.have.length(1);

    target = await createTestDatabase('empty');
    await restoreBackup(target.url, { dir });

    expect(await allEntries(target.sequelize)).to.deep.equal(entries);
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
    expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
      await schemaFingerprint(source.current.sequelize),
    );
    const next = `SELECT nextval('history_entries_id_seq')::text AS id`;
    expect(await target.sequelize.query(next, { type: QueryTypes.SELECT })).to.deep.equal(
      await source.current.sequelize.query(next, { type: QueryTypes.SELECT }),
    );
  });

  it('when the backup is of a database rolled back past the history, with entries in several monthly partitions, a pending invitation and rate-limit counts kept aside, the restore brings back every table, partition and kept row, and a re-apply brings them back on both alike', async () => {
    const { sequelize } = source.current;
    const saga = await campaignWithHistory('aside');
    await ensurePartitions(sequelize, '2025-12-01', new Date().toISOString());
    await insertEntriesAt(sequelize, saga.campaignId, [
      '2025-12-01T00:00:00Z',
      '2026-03-15T12:00:00Z',
    ]);
    await sequelize.query(
      `INSERT INTO rate_limits (key, points, expire) VALUES ('login:probe', 2, NULL);
       INSERT INTO campaign_invitations (campaign_id, user_id, role, expires_at, created_at, updated_at)
       SELECT ${saga.campaignId}, id, 'PLAYER', now() + interval '1 day', now(), now()
         FROM users WHERE username <> 'system' ORDER BY id LIMIT 1`,
    );
    const entries = await allEntries(sequelize);
    await migrateDown(sequelize, source.current.url, { to: historyMigrations()[0] });
    expect(await publicTables(sequelize)).to.include.members([
      'history_entries_archived',
      'campaign_invitations_archived',
      'rate_limits_archived',
    ]);
    const dir = path.join(folder, 'aside');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('empty');

    const restore = await appCommand('app/cli/restore.ts', target.url, '--from', dir);

    expect(restore.code, restore.stderr).to.equal(0);
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
    expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
      await schemaFingerprint(sequelize),
    );
    expect(await partitionsOf(target.sequelize)).to.deep.equal(await partitionsOf(sequelize));

    await migrateAll(target);
    await migrateAll(source.current);
    expect(await allEntries(target.sequelize)).to.deep.equal(await allEntries(sequelize));
    expect((await allEntries(target.sequelize)).length).to.be.at.least(entries.length);
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
    const [kept] = await target.sequelize.query(
      'SELECT (SELECT count(*)::int FROM rate_limits) AS limits, (SELECT count(*)::int FROM campaign_invitations) AS invitations',
      { type: QueryTypes.SELECT },
    );
    expect(kept).to.deep.equal({ limits: 1, invitations: 1 });
  });

  it('when a migration of the restore fails part-way through the migrate step, the restore reverts the ones it applied and leaves the target as it found it, saying so', async () => {
    await fillTables(source.current.sequelize, 10);
    const dir = path.join(folder, 'part-way');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('empty');
    // A function of the same name makes the system user's migration (the 7th) fail.
    await target.sequelize.query(
      `CREATE FUNCTION gma_protect_system_user() RETURNS integer LANGUAGE sql AS 'SELECT 1'`,
    );
    const found = {
      schema: await schemaFingerprint(target.sequelize),
      data: await dataFingerprint(target.sequelize),
      functions: await functionsOf(target.sequelize),
    };

    const restore = await appCommand('app/cli/restore.ts', target.url, '--from', dir);

    expect(restore.code).to.equal(1);
    expect(restore.stderr).to.include('gma_protect_system_user');
    expect(restore.stderr).to.include(
      'the migrations applied to the empty target were reverted, so it is as it was',
    );
    expect(restore.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    expect(await publicTables(target.sequelize)).to.deep.equal([]);
    expect({
      schema: await schemaFingerprint(target.sequelize),
      data: await dataFingerprint(target.sequelize),
      functions: await functionsOf(target.sequelize),
    }).to.deep.equal(found);
  });

  it('when a later migration has added a table, the backup holds it without being told', async () => {
    await fillTables(source.current.sequelize, 10);
    await source.current.sequelize.query(
      `CREATE TABLE invitations (id serial PRIMARY KEY, campaign_id integer NOT NULL REFERENCES campaigns,
                                 code text NOT NULL);
       INSERT INTO invitations (campaign_id, code) SELECT id, 'code ' || id FROM campaigns;`,
    );
    const manifest = await createBackup(source.current.url, { dir: path.join(folder, 'new') });
    const order = manifest.tables.map((t) => t.table);
    expect(order).to.include('invitations');
    // Foreign-key order: a table after every table it references.
    expect(order.indexOf('invitations')).to.be.above(order.indexOf('campaigns'));
    expect(order.indexOf('campaigns')).to.be.above(order.indexOf('users'));
    expect(manifest.tables.find((t) => t.table === 'invitations')?.rows).to.equal(5);
  });

  it('when rows are inserted after a restore, each table numbers them as the source would, never colliding with restored ids', async () => {
    await fillTables(source.current.sequelize, 50);
    await fillMembershipsAndTokens(source.current.sequelize);
    // A deleted last row: its id stays used in the source's sequence.
    await source.current.sequelize.query(
      'DELETE FROM items WHERE id = (SELECT max(id) FROM items)',
    );
    const dir = path.join(folder, 'b2');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('empty');
    await restoreBackup(target.url, { dir });

    const next = `SELECT (SELECT nextval(pg_get_serial_sequence('users', 'id'))) AS users,
                         (SELECT nextval(pg_get_serial_sequence('items', 'id'))) AS items,
                         (SELECT nextval(pg_get_serial_sequence('campaign_memberships', 'id'))) AS memberships`;
    const [expected] = await source.current.sequelize.query(next, { type: QueryTypes.SELECT });
    const [got] = await target.sequelize.query(next, { type: QueryTypes.SELECT });
    expect(got).to.deep.equal(expected);
    const [inserted] = await target.sequelize.query(
      `INSERT INTO users (username, password_hash, created_at, updated_at)
       VALUES ('new', 'x', now(), now()) RETURNING id`,
      { type: QueryTypes.SELECT },
    );
    expect(Number((inserted as { id: number }).id)).to.be.above(
      Number((got as { users: string }).users),
    );
  });

  it('when a backup file is damaged, the restore fails naming the file, leaves the empty target as it found it (its migrate step reverted), and a second try with the file repaired succeeds', async () => {
    await fillTables(source.current.sequelize, 50);
    const dir = path.join(folder, 'b3');
    await createBackup(source.current.url, { dir });
    const file = path.join(dir, 'items.copy');
    const original = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, original.replace('Item 8', 'Item 7'));
    target = await createTestDatabase('empty');
    const found = {
      schema: await schemaFingerprint(target.sequelize),
      data: await dataFingerprint(target.sequelize),
    };

    let failure: Error | undefined;
    await restoreBackup(target.url, { dir }).catch((error: Error) => (failure = error));
    expect(failure?.message).to.include('items.copy');
    expect(failure?.message).to.include(
      'the migrations applied to the empty target were reverted, so it is as it was',
    );
    expect(await publicTables(target.sequelize)).to.deep.equal([]);
    expect({
      schema: await schemaFingerprint(target.sequelize),
      data: await dataFingerprint(target.sequelize),
    }).to.deep.equal(found);

    fs.writeFileSync(file, original);
    await restoreBackup(target.url, { dir });
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));
  });

  it('when the target already holds rows, the restore refuses and changes nothing', async () => {
    await fillTables(source.current.sequelize, 20);
    const dir = path.join(folder, 'b4');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('latest');
    await fillTables(target.sequelize, 5);
    const before = await fingerprints(target);

    let failure: Error | undefined;
    await restoreBackup(target.url, { dir }).catch((error: Error) => (failure = error));
    expect(failure?.message).to.match(/table \w+ in the target already holds rows/);
    expect(await fingerprints(target)).to.deep.equal(before);
  });

  it('when run as commands, db:backup writes a manifest and db:restore loads it into another database', async () => {
    await fillTables(source.current.sequelize, 30);
    const dir = path.join(folder, 'b5');
    const backup = await appCommand('app/cli/backup.ts', source.current.url, '--out', dir);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(readManifest(dir).tables.map((t) => t.table)).to.include.members([
      'users',
      'campaign_memberships',
    ]);

    target = await createTestDatabase('empty');
    const restore = await appCommand('app/cli/restore.ts', target.url, '--from', dir);
    expect(restore.code, restore.stderr).to.equal(0);
    expect(await fingerprints(target)).to.deep.equal(await fingerprints(source.current));

    const again = await appCommand('app/cli/restore.ts', target.url, '--from', dir);
    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('already holds rows');
    expect(again.stderr).to.not.match(/\n\s+at /, 'no stack trace');
  });

  it("when a seeded database is backed up and restored into an empty one by the commands the docs name (DATABASE_URL only), exits 0 and every table, the seeders' history included, matches", async () => {
    const seed = await appCommand('app/cli/seed.ts', source.current.url);
    expect(seed.code, seed.stderr).to.equal(0);
    const dir = path.join(folder, 'seeded');
    const backup = await appCommand('app/cli/backup.ts', source.current.url, '--out', dir);
    expect(backup.code, backup.stderr).to.equal(0);
    expect(readManifest(dir).tables.map((t) => t.table)).to.include('SequelizeData');

    target = await createTestDatabase('empty');
    const restore = await appCommand('app/cli/restore.ts', target.url, '--from', dir);

    expect(restore.code, restore.stderr).to.equal(0);
    expect(restore.stdout).to.match(/^Restored \d+ tables \(\d+ rows\) from /);
    const restored = await fingerprints(target);
    expect(restored.SequelizeData).to.match(/^1 rows/);
    expect(restored).to.deep.equal(await fingerprints(source.current));
    expect(await schemaFingerprint(target.sequelize)).to.deep.equal(
      await schemaFingerprint(source.current.sequelize),
    );
  });

  it('when MIGRATION_DATABASE_URL names another database than DATABASE_URL, db:restore refuses before touching either, naming both variables', async () => {
    await fillTables(source.current.sequelize, 5);
    const dir = path.join(folder, 'two-urls');
    await createBackup(source.current.url, { dir });
    target = await createTestDatabase('empty');
    const before = await fingerprints(source.current);

    const restore = await runCommand(
      path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'),
      ['app/cli/restore.ts', '--from', dir],
      { DATABASE_URL: target.url, MIGRATION_DATABASE_URL: source.current.url },
    );

    expect(restore.code).to.equal(1);
    expect(restore.stderr).to.include('MIGRATION_DATABASE_URL');
    expect(restore.stderr).to.include('DATABASE_URL');
    expect(restore.stderr).to.not.match(/\n\s+at /, 'no stack trace');
    expect(await publicTables(target.sequelize)).to.deep.equal([]);
    expect(await fingerprints(source.current)).to.deep.equal(before);
  });

  it('when db:restore is given no --from, it exits 2 and points to --help', async () => {
    const result = await appCommand('app/cli/restore.ts', source.current.url);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('--from');
  });
});
