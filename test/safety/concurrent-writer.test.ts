import { spawn } from 'node:child_process';
import { expect } from 'chai';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { migrationStatus } from '../../app/db/migration-runner';
import { PROJECT_ROOT } from '../support/run-command';
import type { TestDatabase } from '../support/test-database';
import { FROM_FIRST_AUDIT, createPreAuditDatabase } from './audit-database';

// Sized so that the difference is plain on a loaded 2-core machine: the
// batched backfill keeps every write near one batch (~50 ms), while the whole
// backfill as one UPDATE holds the rows it locks for 2 s or more at this size.
const ITEMS = 250_000;
const LIMIT_MS = 400;

/** Runs the app's migrate command as a real process; resolves with its exit code and stderr. */
function migrateInChildProcess(url: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/migrate.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('Concurrency: a writer during the audit migration', () => {
  let db: TestDatabase;
  let writer: pg.Client;

  beforeEach(async () => {
    ({ db } = await createPreAuditDatabase({ rows: 1000, items: ITEMS }));
    writer = new pg.Client({ connectionString: db.url, application_name: 'test-writer' });
    await writer.connect();
  });
  afterEach(async () => {
    await writer.end();
    await db.drop();
  });

  it(`when the migration runs on ${ITEMS} items while another connection inserts and updates items, no write waits ${LIMIT_MS} ms or more`, async () => {
    const { rows } = await writer.query<{ min: number; max: number; campaign: number }>(
      'SELECT min(id) AS min, max(id) AS max, min(campaign_id) AS campaign FROM items',
    );
    const { min, max, campaign } = rows[0]!;
    let running = true;
    const latencies: number[] = [];
    const updated = new Set<number>();
    const writes = (async () => {
      for (let i = 0; running; i++) {
        const started = process.hrtime.bigint();
        if (i % 2 === 0) {
          await writer.query(
            `INSERT INTO items (name, campaign_id, created_at, updated_at) VALUES ($1, $2, now(), now())`,
            [`written during the migration ${i}`, campaign],
          );
        } else {
          // Spread over the whole table, so it hits rows the backfill is locking.
          const id = min + ((i * 7919) % (max - min + 1));
          await writer.query(`UPDATE items SET name = $1, updated_at = now() WHERE id = $2`, [
            `updated during the migration ${i}`,
            id,
          ]);
          updated.add(id);
        }
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    })();

    const started = Date.now();
    const migration = await migrateInChildProcess(db.url);
    const seconds = (Date.now() - started) / 1000;
    running = false;
    await writes;

    expect(migration.code, migration.stderr).to.equal(0);
    expect((await migrationStatus(db.sequelize)).executed).to.include.members(FROM_FIRST_AUDIT);
    const sorted = [...latencies].sort((a, b) => a - b);
    const worst = sorted.at(-1)!;
    const p99 = sorted[Math.floor(sorted.length * 0.99)]!;
    console.log(
      `      migration ${seconds.toFixed(1)} s; ${latencies.length} writes, ` +
        `worst ${worst.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
    );
    expect(latencies.length).to.be.above(100);
    expect(worst, 'the slowest write (ms)').to.be.below(LIMIT_MS);
    // The rows this pre-audit writer inserted got the rule's values from the
    // audit trigger; a row the rule can fill is left with no modifier only
    // where this writer, who names nobody, updated it.
    const unfilled = await db.sequelize.query<{ id: number }>(
      `SELECT i.id FROM items i JOIN campaigns c ON c.id = i.campaign_id
        WHERE i.modified_by IS NULL AND (i.created_by IS NOT NULL OR c.owner_id IS NOT NULL)`,
      { type: QueryTypes.SELECT },
    );
    expect(
      unfilled.filter(({ id }) => id > max),
      'inserted rows left NULL',
    ).to.deep.equal([]);
    expect(
      unfilled.filter(({ id }) => !updated.has(id)),
      'untouched rows left NULL',
    ).to.deep.equal([]);
  });
});
