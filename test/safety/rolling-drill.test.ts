import { expect } from 'chai';
import { createPreAuditDatabase } from './audit-database';
import { describeCounts, totalFillable, totalWrong } from '../../app/dev/drill/audit-counts';
import { PHASES, runRollingDrill } from '../../app/dev/drill/rolling-drill';
import { DRILL_TABLES, type DrillTable } from '../../app/dev/drill/writer-protocol';
import { pooledDatabaseUrl } from '../support/test-server';
import type { TestDatabase } from '../support/test-database';

const ROWS = 2_500;

describe('Concurrency: a rolling upgrade behind PgBouncer while the previous version keeps writing', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.drop();
  });

  it('when the previous version writes before, during and after db:migrate and two new instances serve several users, no fillable row stays NULL, every modifier made the last change, and no lock is left', async function () {
    this.timeout(300_000);
    ({ db } = await createPreAuditDatabase({ rows: ROWS, campaigns: 500 }));
    const result = await runRollingDrill({
      directUrl: db.directUrl,
      pooledUrl: pooledDatabaseUrl(db.name),
      beforeMs: 1000,
      afterMs: 3000,
      users: 4,
      // A slow backfill in small batches, so that the previous version
      // updates plenty of rows after their audit columns exist and before
      // the backfill reaches them.
      migratorEnv: {
        GMA_BACKFILL_FIRST_BATCH: '100',
        GMA_BACKFILL_BATCH_MS: '2',
        GMA_BACKFILL_PAUSE_MS: '40',
      },
    });

    expect(result.previous.errors, 'previous version write errors').to.deep.equal([]);
    expect(result.http.failures, 'new version request failures').to.deep.equal([]);
    for (const phase of PHASES) {
      expect(
        result.latency[phase].length,
        `previous version writes ${phase} db:migrate`,
      ).to.be.above(20);
    }
    for (const table of DRILL_TABLES) {
      expect(
        result.updatesDuringBackfill[table],
        `${table}: previous version updates of existing rows while its backfill ran`,
      ).to.be.above(0);
    }
    expect(result.http.writes.length, 'writes through the new version').to.be.above(20);
    // Every kind of last change the counts judge really happened.
    const rowsExpecting = (table: DrillTable, expected: string) =>
      result.counts[table].byExpectation.find((g) => g.expected === expected)?.rows ?? 0;
    for (const table of DRILL_TABLES) {
      expect(rowsExpecting(table, 'null, after the migration'), table).to.be.above(0);
      expect(rowsExpecting(table, 'rule, inserted'), table).to.be.above(0);
      expect(rowsExpecting(table, 'actor'), table).to.be.above(0);
    }
    expect(
      result.previous.writes.filter(([, , kind]) => kind === 'update-adopted').length,
      'previous version updates of rows the new version created',
    ).to.be.above(0);
    expect(result.advisoryLocks, 'advisory locks left behind').to.equal(0);

    expect(
      totalFillable(result.counts),
      `rows left NULL that the rules could fill:\n  ${describeCounts(result.counts)}`,
    ).to.equal(0);
    expect(
      totalWrong(result.counts),
      `rows whose modified_by names someone who did not make the last change:\n  ${describeCounts(result.counts)}`,
    ).to.equal(0);
  });
});
