import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createBackup } from '../../app/ops/backup/create-backup';
import type { CheckResult } from '../../app/ops/check-report';
import { checkRecentBackup } from '../../app/ops/preflight/recent-backup';
import { runPreflight, type PreflightOptions } from '../../app/ops/preflight/run-preflight';
import { AUDIT_TOUCHED_TABLES as BACKUP_TABLES } from '../../app/audit/audit-spec';
import { fillTables } from '../support/fill-tables';
import { appCommand } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

function check(checks: CheckResult[], name: string): CheckResult {
  const found = checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check named ${name} in ${checks.map((c) => c.name).join(', ')}`);
  return found;
}

describe('db:preflight', () => {
  const db = useTestDatabase('latest');
  let root: string;
  let options: PreflightOptions;

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-preflight-test-'));
    options = {
      backupRoot: root,
      backupMaxAgeHours: 24,
      maxTransactionSeconds: 30,
      rowsPerSecond: 1000,
    };
  });
  afterEach(async () => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('when the database is quiet, consistent and backed up, every check passes and sizes are reported', async () => {
    await fillTables(db.current.sequelize, 200);
    await db.current.sequelize.query('ANALYZE');
    await createBackup(db.current.url, { dir: path.join(root, 'b') });

    const checks = await runPreflight(db.current.url, db.current.sequelize, options);

    expect(checks.filter((c) => c.status === 'fail')).to.deep.equal([]);
    expect(check(checks, 'database').summary).to.match(/PostgreSQL \d+/);
    expect(check(checks, 'table sizes').details).to.satisfy((lines: string[]) =>
      lines.some((line) => /^characters: ~200 rows, [\d.]+ MB, ~1 s$/.test(line)),
    );
  });

  it('when a transaction holding a lock on characters is older than the limit, fails naming its pid and the table', async () => {
    const blocker = new pg.Client({ connectionString: db.current.url });
    await blocker.connect();
    let checks: CheckResult[];
    let pid: number;
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT count(*) FROM characters');
      const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      pid = rows[0]!.pid;
      await new Promise((resolve) => setTimeout(resolve, 50));
      checks = await runPreflight(db.current.url, db.current.sequelize, {
        ...options,
        maxTransactionSeconds: 0.01,
      });
    } finally {
      await blocker.end();
    }

    const result = check(checks, 'long-running transactions');
    expect(result.status).to.equal('fail');
    expect(result.details?.join('\n')).to.include(`pid ${pid}`).and.include('characters');
  });

  it('when an item points at a user that does not exist, fails with the table, column and count', async () => {
    await fillTables(db.current.sequelize, 10);
    const [fks] = await db.current.sequelize.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'items'::regclass AND contype = 'f'
          AND pg_get_constraintdef(oid) LIKE 'FOREIGN KEY (created_by)%'`,
    );
    for (const { conname } of fks as Array<{ conname: string }>) {
      await db.current.sequelize.query(`ALTER TABLE items DROP CONSTRAINT "${conname}"`);
    }
    await db.current.sequelize.query('UPDATE items SET created_by = 999999 WHERE id IN (1, 2)');

    const result = check(
      await runPreflight(db.current.url, db.current.sequelize, options),
      'orphaned records',
    );
    expect(result.status).to.equal('fail');
    expect(result.details).to.have.length(1);
    expect(result.details![0]).to.match(/^items\.created_by: 2 row\(s\) with no users row/);
  });

  it('when campaigns have no owner and their items no creator, warns with the count of rows of each table the backfill cannot fill', async () => {
    await fillTables(db.current.sequelize, 30);
    // Rows as a pre-audit version left them: no creator, no modifier, and no owner to derive one.
    for (const table of ['items', 'locations']) {
      await db.current.sequelize.query(
        `UPDATE ${table} SET created_by = NULL, modified_by = NULL WHERE id % 3 = 0`,
      );
    }
    await db.current.sequelize.query('UPDATE campaigns SET owner_id = NULL');

    const result = check(
      await runPreflight(db.current.url, db.current.sequelize, options),
      'rows the backfill cannot fill',
    );
    expect(result.status).to.equal('warn');
    expect(result.details!.map((line) => line.replace(/ \(.*\)$/, ''))).to.deep.equal([
      'items: 10 row(s)',
      'locations: 10 row(s)',
      'campaigns: 5 row(s)',
    ]);
  });

  it('when the newest backup is older than the limit, or of another database, the backup check fails', async () => {
    await createBackup(db.current.url, { dir: path.join(root, 'b') });
    const later = new Date(Date.now() + 25 * 3_600_000);

    expect(checkRecentBackup(db.current.url, root, BACKUP_TABLES, 24).status).to.equal('ok');
    expect(checkRecentBackup(db.current.url, root, BACKUP_TABLES, 24, later).status).to.equal(
      'fail',
    );
    const other = db.current.url.replace(/\/[^/]+$/, '/another_db');
    expect(checkRecentBackup(other, root, BACKUP_TABLES, 24).status).to.equal('fail');
  });

  it('when run as a command without a backup it exits 1 and says how to take one; after db:backup it exits 0', async () => {
    const before = await appCommand('app/cli/preflight.ts', db.current.url, '--backups', root);
    expect(before.code, before.stderr).to.equal(1);
    expect(before.stdout).to.match(/\[FAIL\] recent backup: .*npm run db:backup/);

    const dir = path.join(root, 'now');
    const backup = await appCommand('app/cli/backup.ts', db.current.url, '--out', dir);
    expect(backup.code, backup.stderr).to.equal(0);
    const after = await appCommand('app/cli/preflight.ts', db.current.url, '--backups', root);
    expect(after.code, after.stdout).to.equal(0);
    expect(after.stdout).to.include('All checks passed');
  });

  it('when the database cannot be reached, exits 1 with one line saying what to check', async () => {
    const result = await appCommand(
      'app/cli/preflight.ts',
      'postgres://nobody:x@127.0.0.1:1/none',
      '--backups',
      root,
    );
    expect(result.code).to.equal(1);
    expect(result.stderr).to.include('Cannot connect to PostgreSQL');
    expect(result.stderr).to.not.match(/\n\s+at /, 'no stack trace');
  });

  it('when an option has a bad value, exits 2 naming the option', async () => {
    const result = await appCommand(
      'app/cli/preflight.ts',
      db.current.url,
      '--max-transaction-seconds',
      'soon',
    );
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('--max-transaction-seconds');
  });
});
