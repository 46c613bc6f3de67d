import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { CLEARED_MODIFIERS_TABLE } from '../../app/audit/cleared-modifiers';
import { migrateUp } from '../../app/db/migration-runner';
import { MIGRATION_APPLICATION_NAME } from '../../app/db/migration-lib/recorded-fills';
import { NamedClients } from '../support/named-clients';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase } from './audit-database';

/*
 * The clearing pass beside other transactions: it locks only the rows it
 * clears, in id order, each try bounded by its lock_timeout (50 ms by
 * default), so neither it nor a writer waits long on the other. Lock waits
 * are watched from a third connection in pg_stat_activity, by each
 * connection's application name.
 */
describe('Clearing passes beside writers: only the cleared rows are locked, briefly', function () {
  this.timeout(60_000);
  const CLEARED_MODIFIERS_MIGRATION = '20261129400000-create-audit-cleared-modifiers.ts';
  const CLEAR_CHARACTERS = '20261129400100-clear-unattributed-modifiers-of-characters.ts';
  const LOCK_TIMEOUT_MS = 50;
  let db: TestDatabase;
  let candidates: number[];
  const clients = new NamedClients();
  const connect = (applicationName: string) => clients.connect(db.url, applicationName);

  /** Polls lock waits until stopped; the longest wait seen per application name, in ms. */
  async function watchLockWaits(): Promise<{ stop: () => Promise<Map<string, number>> }> {
    const monitor = await connect('lock-monitor');
    const longest = new Map<string, number>();
    let running = true;
    const loop = (async () => {
      while (running) {
        const { rows } = await monitor.query<{ name: string; ms: number }>(
          `SELECT application_name AS name,
                  extract(epoch FROM clock_timestamp() - query_start) * 1000 AS ms
             FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        for (const { name, ms } of rows) longest.set(name, Math.max(longest.get(name) ?? 0, ms));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    return {
      stop: async () => {
        running = false;
        await loop;
        return longest;
      },
    };
  }

  async function modifiersOf(ids: number[]): Promise<(number | null)[]> {
    const rows = await db.sequelize.query<{ modified_by: number | null }>(
      'SELECT modified_by FROM characters WHERE id IN (:ids) ORDER BY id',
      { type: QueryTypes.SELECT, replacements: { ids } },
    );
    return rows.map((row) => row.modified_by);
  }

  beforeEach(async () => {
    process.env.GMA_DDL_LOCK_TIMEOUT_MS = String(LOCK_TIMEOUT_MS);
    ({ db } = await createPreAuditDatabase(120));
    await migrateUp(db.sequelize, db.url, { to: CLEARED_MODIFIERS_MIGRATION });
    // Sparse candidates: every seventh character with a rule modifier gets an
    // update on record with no actor, newer than anything else on record.
    const rows = await db.sequelize.query<{ id: number }>(
      `SELECT id FROM characters
        WHERE id % 7 = 0 AND modified_by IS NOT NULL AND modified_by = player_owner_id
        ORDER BY id`,
      { type: QueryTypes.SELECT },
    );
    candidates = rows.map((row) => row.id);
    await db.sequelize.query(
      `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
       SELECT clock_timestamp() + interval '1 second', 'characters', t.id, t.campaign_id,
              'update', '{"name": {"from": "a", "to": "b"}}'::jsonb
         FROM characters t WHERE t.id IN (:ids)`,
      { replacements: { ids: candidates } },
    );
    expect(candidates.length).to.be.at.least(8);
  });

  afterEach(async () => {
    delete process.env.GMA_DDL_LOCK_TIMEOUT_MS;
    await clients.endAll();
    await db?.drop();
  });

  it('when another transaction holds a candidate row, the pass waits at most its lock timeout per try, retries, and clears the row once the lock is released', async () => {
    const locked = candidates[Math.floor(candidates.length / 2)]!;
    const holder = await connect('lock-holder');
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM characters WHERE id = $1 FOR UPDATE', [locked]);
    const watch = await watchLockWaits();
    const lines: string[] = [];
    let finished = false;
    const pass = migrateUp(db.sequelize, db.url, {
      to: CLEAR_CHARACTERS,
      log: (line) => lines.push(line),
    }).finally(() => (finished = true));

    const retries = () => lines.filter((line) => line.includes('locked by another transaction'));
    const deadline = Date.now() + 5_000;
    while (retries().length < 3 && Date.now() < deadline && !finished) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const finishedWhileHeld = finished;
    await holder.query('COMMIT');
    await pass;
    const waits = await watch.stop();

    expect(finishedWhileHeld, 'the pass finished while the row was held').to.equal(false);
    expect(retries().length, 'tries after a lock timeout').to.be.at.least(3);
    expect(
      waits.get(MIGRATION_APPLICATION_NAME) ?? 0,
      'longest lock wait of the pass (ms)',
    ).to.be.within(1, LOCK_TIMEOUT_MS + 150);
    expect(await modifiersOf(candidates)).to.deep.equal(candidates.map(() => null));
    expect(
      await count(
        db.sequelize,
        `SELECT count(*) AS n FROM ${CLEARED_MODIFIERS_TABLE} WHERE table_name = 'characters'`,
      ),
    ).to.equal(candidates.length);
  });

  it('when writers update rows while a batch waits on a held row, a writer of a row that is no candidate never waits, and one of a candidate row waits at most about the lock timeout', async () => {
    const last = candidates[candidates.length - 1]!;
    const first = candidates[0]!;
    // The middle of the id range, between two candidates.
    const plain = candidates[Math.floor(candidates.length / 2)]! + 3;
    expect(candidates).not.to.include(plain);
    const holder = await connect('lock-holder');
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM characters WHERE id = $1 FOR UPDATE', [last]);
    const plainWriter = await connect('plain-writer');
    const candidateWriter = await connect('candidate-writer');
    const watch = await watchLockWaits();
    let finished = false;
    let plainWrites = 0;
    let candidateWrites = 0;
    const writers = (async () => {
      while (!finished) {
        await plainWriter.query('UPDATE characters SET name = $2 WHERE id = $1', [
          plain,
          `Edited ${plainWrites}`,
        ]);
        plainWrites++;
        // The row lock an update takes, without changing the row the pass clears.
        await candidateWriter.query('BEGIN');
        await candidateWriter.query('SELECT id FROM characters WHERE id = $1 FOR UPDATE', [first]);
        await candidateWriter.query('COMMIT');
        candidateWrites++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    })();
    const pass = migrateUp(db.sequelize, db.url, { to: CLEAR_CHARACTERS, log: () => {} });
    // Hold the last candidate for a second: every try of the batch holding it waits on it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await holder.query('COMMIT');
    await pass.finally(() => (finished = true));
    await writers;
    const waits = await watch.stop();

    expect(plainWrites, 'writes to the row that is no candidate').to.be.above(10);
    expect(candidateWrites, 'writes to a candidate row').to.be.above(10);
    expect(waits.get('plain-writer') ?? 0, 'longest wait of the plain writer (ms)').to.equal(0);
    expect(
      waits.get('candidate-writer') ?? 0,
      'longest wait of the candidate writer (ms)',
    ).to.be.below(LOCK_TIMEOUT_MS + 150);
    expect(await modifiersOf(candidates)).to.deep.equal(candidates.map(() => null));
  });
});
