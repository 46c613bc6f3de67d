import { expect } from 'chai';
import pg from 'pg';
import { firstAuditMigration, auditMigrationOf } from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { LockLostError, withAdvisoryLock } from '../../app/db/advisory-lock';
import { migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { exitCodeOf, formatReport } from '../../app/ops/check-report';
import { runVerify } from '../../app/ops/verify/run-verify';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import { startPgBouncer } from '../../app/dev/pgbouncer';
import { heldAdvisoryLocks } from '../support/pooled-migration';
import { startMigrator } from '../support/run-command';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { serverUrl } from '../support/test-server';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
const LAST_PRE_AUDIT = ALL[ALL.indexOf(firstAuditMigration()) - 1]!;
const CHARACTERS_BACKFILL = auditMigrationOf('characters', 'backfill');
const ROWS = 2000;

// Small batches with pauses: the characters backfill takes over a second.
const SLOW_BATCHES = {
  GMA_BACKFILL_FIRST_BATCH: '50',
  GMA_BACKFILL_BATCH_MS: '1',
  GMA_BACKFILL_PAUSE_MS: '30',
};

async function count(db: TestDatabase, sql: string): Promise<number> {
  try {
    const [rows] = await db.sequelize.query(sql);
    return Number((rows as { n: string }[])[0]!.n);
  } catch {
    return 0; // the column is not there yet
  }
}

/** Ends the migration lock's server process, as an operator's pg_terminate_backend would. */
async function terminateLockHolder(db: TestDatabase): Promise<number> {
  const client = new pg.Client({ connectionString: db.directUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE application_name = 'gma-migration-lock' AND datname = current_database()`,
    );
    for (const { pid } of rows) await client.query('SELECT pg_terminate_backend($1)', [pid]);
    return rows.length;
  } finally {
    await client.end();
  }
}

describe("Losing the migration lock's connection", () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
  });

  it('when the lock holder is terminated mid-backfill, the migrator starts no further migration, says so in one line and exits 1; a re-run completes with every backfill rule holding', async () => {
    db = await createTestDatabase('empty');
    await migrateUp(db.sequelize, db.url, { to: LAST_PRE_AUDIT });
    await fillPreAuditData(db.sequelize, { rows: ROWS });

    const child = startMigrator(db.url, SLOW_BATCHES);
    const filled = 'SELECT count(*) AS n FROM characters WHERE created_by IS NOT NULL';
    const deadline = Date.now() + 30_000;
    while ((await count(db, filled)) < 200 && Date.now() < deadline && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await terminateLockHolder(db)).to.equal(1);
    const code = await child.exited;

    expect(code).to.equal(1);
    const stderr = child.stderr();
    const lastLine = stderr.trim().split('\n').at(-1);
    expect(lastLine).to.match(
      /^db:migrate: Lost the migration lock \(.*\); stopped before the next migration\. Run the same command again: it resumes/,
    );
    expect(stderr).to.not.match(/\n\s+at |Unhandled 'error' event|unexpected failure/);
    // It stopped in the middle: the backfill never finished, nothing after it began.
    expect(await count(db, filled)).to.be.below(ROWS);
    const { executed } = await migrationStatus(db.sequelize);
    expect(executed).to.not.include(CHARACTERS_BACKFILL);
    const started = [...stderr.matchAll(/== (\S+): migrating/g)].map((m) => m[1]);
    expect(started.at(-1)).to.equal(CHARACTERS_BACKFILL);
    expect(await heldAdvisoryLocks(db.directUrl)).to.equal(0);

    const rerun = startMigrator(db.url);
    expect(await rerun.exited, rerun.stderr()).to.equal(0);
    expect((await migrationStatus(db.sequelize)).executed).to.deep.equal(ALL);
    const checks = await runVerify(db.directUrl);
    expect(exitCodeOf(checks), formatReport('Verify', checks)).to.equal(0);
  });

  it('when the lock is lost while a migration runs in-process, the running one may finish but the next one never starts', async () => {
    db = await createTestDatabase('empty');
    await migrateUp(db.sequelize, db.url, { to: LAST_PRE_AUDIT });
    await fillPreAuditData(db.sequelize, { rows: ROWS });
    const saved = { ...process.env };
    Object.assign(process.env, SLOW_BATCHES);
    const started: string[] = [];
    try {
      const run = migrateUp(db.sequelize, db.url, {
        log: (line) => {
          const name = /^== (\S+): migrating/.exec(line)?.[1];
          if (name) started.push(name);
        },
      });
      run.catch(() => undefined);
      const filled = 'SELECT count(*) AS n FROM characters WHERE created_by IS NOT NULL';
      const deadline = Date.now() + 30_000;
      while ((await count(db, filled)) < 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await terminateLockHolder(db)).to.equal(1);
      const error = await run.catch((e: unknown) => e);
      expect(error).to.be.instanceOf(LockLostError);

      // The backfill goes on in this process and finishes; nothing follows it.
      const finished = Date.now() + 30_000;
      while (
        !(await migrationStatus(db.sequelize)).executed.includes(CHARACTERS_BACKFILL) &&
        Date.now() < finished
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(started.at(-1)).to.equal(CHARACTERS_BACKFILL);
      const { executed } = await migrationStatus(db.sequelize);
      expect(executed.at(-1)).to.equal(CHARACTERS_BACKFILL);
      const itemsFilled = 'SELECT count(*) AS n FROM items WHERE modified_by IS NOT NULL';
      expect(await count(db, itemsFilled)).to.equal(0);
    } finally {
      for (const name of Object.keys(SLOW_BATCHES)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });

  it('when the lock connection stops answering (the network is gone), the run stops with LockLostError instead of waiting forever', async () => {
    db = await createTestDatabase('empty');
    // A session-mode PgBouncer in between, paused: packets are accepted, nothing answers.
    const pooler = await startPgBouncer(serverUrl(), 'session');
    const url = new URL(pooler.serverUrl);
    url.pathname = `/${db.name}`;
    try {
      const started = Date.now();
      const error = await withAdvisoryLock(
        url.toString(),
        async () => {
          process.kill(pooler.pid, 'SIGSTOP');
          // A step that never ends: the run must not wait for it.
          await new Promise(() => undefined);
        },
        { heartbeatMs: 100, heartbeatTimeoutMs: 1000 },
      ).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(LockLostError);
      expect((error as Error).message).to.match(
        /no answer for 1000 ms.*Run the same command again/,
      );
      expect(Date.now() - started).to.be.below(8000);
    } finally {
      process.kill(pooler.pid, 'SIGCONT');
      await pooler.stop();
    }
  });
});
