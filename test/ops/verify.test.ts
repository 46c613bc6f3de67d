import { expect } from 'chai';
import { firstAuditMigration } from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { activityIndexMigrations } from '../../app/history/history-spec';
import type { CheckResult } from '../../app/ops/check-report';
import { runVerify } from '../../app/ops/verify/run-verify';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const LAST_PRE_AUDIT = ALL[ALL.indexOf(firstAuditMigration()) - 1]!;

function failed(checks: CheckResult[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const c of checks.filter((c) => c.status === 'fail')) {
    result[c.name] = [c.summary, ...(c.details ?? [])];
  }
  return result;
}

describe('db:verify', () => {
  const db = useTestDatabase('empty');

  async function migratedWithData(rows = 300) {
    const { sequelize, url } = db.current;
    await migrateUp(sequelize, url, { to: LAST_PRE_AUDIT });
    await fillPreAuditData(sequelize, { rows });
    await migrateUp(sequelize, url);
  }

  it('when every migration ran on real data, all checks pass and rows with no source value are listed', async () => {
    await migratedWithData();
    const checks = await runVerify(db.current.url);
    expect(failed(checks)).to.deep.equal({});
    const populated = checks.find((c) => c.name === 'audit fields populated')!;
    // Items and locations in campaigns whose owner was deleted, and those campaigns.
    expect(populated.details!.map((line) => line.split(':')[0])).to.deep.equal([
      'items',
      'locations',
      'campaigns',
    ]);
    expect(populated.details![0]).to.match(/^items: \d+ row\(s\) stay NULL/);
  });

  it('when a previous version updates rows after the migration, their unknown modifiers pass and are listed as such', async () => {
    await migratedWithData(100);
    await db.current.sequelize.query(
      `UPDATE characters SET description = 'by the previous version' WHERE id <= 5`,
    );

    const checks = await runVerify(db.current.url);

    expect(failed(checks)).to.deep.equal({});
    const populated = checks.find((c) => c.name === 'audit fields populated')!;
    expect(populated.details).to.include(
      'characters: 5 row(s) with modified_by unknown (last changed outside the app, or by a user deleted since)',
    );
  });

  it('when the audit migrations have not run, fails on the pending migrations, the columns, the indexes and the history', async () => {
    await migrateUp(db.current.sequelize, db.current.url, { to: LAST_PRE_AUDIT });
    const result = failed(await runVerify(db.current.url));
    expect(Object.keys(result)).to.deep.equal([
      'migrations',
      'audit columns',
      'indexes',
      'history capture',
      'history partitions',
      'history chain',
    ]);
    expect(result.migrations).to.include(ALL.at(-1));
  });

  it('when fillable audit fields are NULL, a foreign key is NOT VALID and an index is INVALID, fails on each with what to do', async () => {
    await migratedWithData(100);
    const q = (sql: string) => db.current.sequelize.query(sql);
    await q('UPDATE characters SET modified_by = NULL WHERE id <= 7');
    await q('ALTER TABLE items DROP CONSTRAINT items_modified_by_fkey');
    await q(
      'ALTER TABLE items ADD CONSTRAINT items_modified_by_fkey FOREIGN KEY (modified_by) REFERENCES users (id) ON DELETE SET NULL NOT VALID',
    );
    await q('DROP INDEX locations_updated_at_idx');
    // A unique build over duplicates fails and leaves an INVALID index behind.
    await q('CREATE UNIQUE INDEX CONCURRENTLY broken_idx ON items (campaign_id)').catch(() => {});

    const result = failed(await runVerify(db.current.url));

    expect(result['audit fields populated']).to.include('characters: 7 row(s)');
    expect(result['audit foreign keys']!.join('\n')).to.include(
      'items.modified_by: items_modified_by_fkey is NOT VALID',
    );
    expect(result.indexes!.join('\n')).to.include('locations(updated_at)');
    expect(result['invalid indexes']!.join('\n')).to.include(
      'DROP INDEX CONCURRENTLY "broken_idx"',
    );
  });

  it('when an audit foreign key cascades deletes, fails saying deleting a user would delete rows', async () => {
    await migratedWithData(20);
    await db.current.sequelize.query(`
      ALTER TABLE characters DROP CONSTRAINT characters_created_by_fkey;
      ALTER TABLE characters ADD CONSTRAINT characters_created_by_fkey
        FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE CASCADE`);
    const result = failed(await runVerify(db.current.url));
    expect(result['audit foreign keys']!.join('\n')).to.include(
      'characters.created_by: characters_created_by_fkey is not ON DELETE SET NULL: deleting a user would delete rows',
    );
  });

  it('when run as a command, exits 0 on a verified database and 1 with a readable report otherwise', async () => {
    await migratedWithData(50);
    const ok = await appCommand('app/cli/verify.ts', db.current.url);
    expect(ok.code, ok.stdout + ok.stderr).to.equal(0);
    expect(ok.stdout).to.include('All checks passed');

    await db.current.sequelize.query(
      'UPDATE items SET modified_by = NULL WHERE created_by IS NOT NULL',
    );
    const bad = await appCommand('app/cli/verify.ts', db.current.url);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/\[FAIL\] audit fields populated: .*db:migrate/);
    expect(bad.stderr).to.not.match(/\n\s+at /, 'no stack trace');
  });

  describe('history capture and partitions', () => {
    const latest = useTestDatabase('latest');
    const q = (sql: string) => latest.current.sequelize.query(sql);
    const check = async (name: string) =>
      (await runVerify(latest.current.url)).find((c) => c.name === name)!;

    it('when every capture trigger is in place and partitions are made ahead, both history checks pass', async () => {
      expect(await check('history capture')).to.include({ status: 'ok' });
      expect(await check('history partitions')).to.include({ status: 'ok' });
    });

    it('when a capture trigger is dropped, fails naming the table and the migration that installs it', async () => {
      await q('DROP TRIGGER items_history_capture ON items');
      const result = await check('history capture');
      expect(result.status).to.equal('fail');
      expect(result.details!.join('\n')).to.match(
        /items: trigger items_history_capture is missing; .*capture-history-of-items/,
      );
    });

    it('when the capture trigger of a table captured but not audited (memberships) is dropped, fails naming the table and its capture migration', async () => {
      await q('DROP TRIGGER campaign_memberships_history_capture ON campaign_memberships');
      const result = await check('history capture');
      expect(result.status).to.equal('fail');
      expect(result.details!.join('\n')).to.match(
        /campaign_memberships: trigger campaign_memberships_history_capture is missing; .*20261203500000-capture-history-of-campaign-memberships/,
      );
    });

    it('when a capture trigger is disabled, fails saying how to enable it', async () => {
      await q('ALTER TABLE locations DISABLE TRIGGER locations_history_capture');
      const result = await check('history capture');
      expect(result.status).to.equal('fail');
      expect(result.details).to.deep.equal([
        'locations: trigger locations_history_capture is disabled; writes go unrecorded (ALTER TABLE locations ENABLE TRIGGER locations_history_capture)',
      ]);
    });

    it('when a column is added after the trigger was installed, fails naming the column whose updates go unrecorded', async () => {
      await q('ALTER TABLE characters ADD COLUMN backstory text');
      const result = await check('history capture');
      expect(result.status).to.equal('fail');
      expect(result.details!.join('\n')).to.include(
        'characters: updates of backstory are not recorded',
      );
    });

    it('when a capture trigger calls another function, fails', async () => {
      await q(`CREATE FUNCTION not_capture() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
               DROP TRIGGER campaigns_history_capture ON campaigns;
               CREATE TRIGGER campaigns_history_capture AFTER INSERT OR DELETE OR UPDATE ON campaigns
                 FOR EACH ROW EXECUTE FUNCTION not_capture()`);
      const result = await check('history capture');
      expect(result.details!.join('\n')).to.include(
        'campaigns: trigger campaigns_history_capture does not call gma_history_capture()',
      );
    });

    it('when an activity index migration stopped half way, fails on it and on the invalid history index, saying to run db:migrate rather than to drop it', async () => {
      const actorIndex = activityIndexMigrations().find((name) => name.includes('by-actor'))!;
      await migrateDown(latest.current.sequelize, latest.current.url, { to: actorIndex });
      // What the cut-short migration leaves: the history's index made ON ONLY, not yet on any partition.
      await q(
        'CREATE INDEX history_entries_actor_idx ON ONLY history_entries (campaign_id, actor_id, table_name, at DESC, id DESC)',
      );
      const checks = await runVerify(latest.current.url);
      const invalid = checks.find((c) => c.name === 'invalid indexes')!;
      expect(checks.find((c) => c.name === 'migrations')!.details?.[0]).to.equal(actorIndex);
      expect(invalid.status).to.equal('fail');
      expect(invalid.details).to.deep.equal([
        'history_entries_actor_idx on history_entries: its migration did not finish; run npm run db:migrate (it resumes)',
      ]);
    });

    it("when next month's partition is missing, warns with the call that makes it, and the command still exits 0", async () => {
      const next = new Date();
      next.setUTCDate(1);
      next.setUTCMonth(next.getUTCMonth() + 1);
      const name = `history_entries_p${next.getUTCFullYear()}${String(next.getUTCMonth() + 1).padStart(2, '0')}`;
      await q(`DROP TABLE ${name}`);
      const result = await check('history partitions');
      expect(result.status).to.equal('warn');
      expect(result.summary).to.include('less than a month ahead');
      expect(result.details!.join('\n')).to.include('gma_history_ensure_partitions');
      const run = await appCommand('app/cli/verify.ts', latest.current.url);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/\[WARN\] history partitions/);
    });
  });
});
