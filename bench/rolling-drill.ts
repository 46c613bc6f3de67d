// The rolling drill at scale: a writer playing the previous app version
// (app/dev/drill/previous-version-writer.ts, its own process, through
// PgBouncer in transaction mode) writes before, during and after
// `db:migrate` (a real process, MIGRATION_DATABASE_URL direct); then two
// new-version instances serve several users while it keeps writing.
// Prints what the audit columns say against who made each row's last
// change, the previous version's latency before, during and after, and its
// p99 and max per migration step (from the runner's own step lines, each
// write counted in the step it started in), the new version's HTTP
// write throughput, and the migration's total time. Needs Debian's pgbouncer.
import { totalFillable, totalWrong } from '../app/dev/drill/audit-counts';
import { PHASES, runRollingDrill } from '../app/dev/drill/rolling-drill';
import { DRILL_TABLES } from '../app/dev/drill/writer-protocol';
import { startPgBouncer } from '../app/dev/pgbouncer';
import { startBenchServer } from './support/bench-server';
import { createPreAuditDatabase } from './support/datasets';
import { duration, envInt, machineLine, printTable, quantile } from './support/report';
import { printStepLatencies, STALL_MS } from './support/step-report';

const DATABASE = 'bench_rolling_drill';

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const beforeSeconds = envInt('BENCH_DRILL_BEFORE_SECONDS', 5);
  const afterSeconds = envInt('BENCH_DRILL_AFTER_SECONDS', 10);
  const users = envInt('BENCH_DRILL_USERS', 8);
  const server = await startBenchServer();
  let pooler: Awaited<ReturnType<typeof startPgBouncer>> | undefined;
  try {
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, DATABASE, rows);
    const direct = server.url(DATABASE);
    const serverUrl = new URL(direct);
    serverUrl.pathname = '/';
    pooler = await startPgBouncer(serverUrl.toString(), 'transaction');
    const pooled = new URL(pooler.serverUrl);
    pooled.pathname = `/${DATABASE}`;

    const result = await runRollingDrill({
      directUrl: direct,
      pooledUrl: pooled.toString(),
      beforeMs: beforeSeconds * 1000,
      afterMs: afterSeconds * 1000,
      users,
      log: (line) => console.error(line),
    });

    console.log(
      `## Rolling drill: ${rows} rows per table, the previous version writing through PgBouncer (transaction mode)\n`,
    );
    printTable(
      ['table', 'last change', 'rows', 'wrong modifier', 'fillable NULL'],
      DRILL_TABLES.flatMap((table) =>
        result.counts[table].byExpectation.map((g) => [
          table,
          g.expected,
          g.rows,
          g.wrong,
          g.fillable,
        ]),
      ),
    );
    console.log(
      `totals: ${totalWrong(result.counts)} rows whose modified_by names someone who did not make the last change, ` +
        `${totalFillable(result.counts)} rows left NULL that the rules could fill, ` +
        `${result.advisoryLocks} advisory locks left behind, ` +
        `${result.previous.errors.length} failed writes of the previous version\n`,
    );
    const samples = DRILL_TABLES.flatMap((t) => result.counts[t].samples);
    if (samples.length) console.log(`sample wrong rows:\n${samples.join('\n')}\n`);

    printTable(
      ['previous version', 'writes', 'p50', 'p99', 'max', `over ${STALL_MS} ms`],
      PHASES.map((phase) => {
        const ms = result.latency[phase];
        return [
          `${phase} db:migrate`,
          ms.length,
          duration(quantile(ms, 0.5)),
          duration(quantile(ms, 0.99)),
          duration(Math.max(...ms)),
          ms.filter((m) => m > STALL_MS).length,
        ];
      }),
    );
    printStepLatencies(
      'The previous version',
      result.migration.steps,
      result.previous.writes.map(([, , , startedAt, ms]) => ({ startedAt, ms })),
    );
    printTable(
      ['new version (2 instances)', 'users', 'writes', 'took', 'writes/s', 'failed'],
      [
        [
          'HTTP creates and edits',
          users,
          result.http.written,
          duration(result.http.ms),
          Math.round(result.http.written / (result.http.ms / 1000)),
          result.http.failures.length,
        ],
      ],
    );
    console.log(
      `db:migrate, whole process (start-up, pooler check and lock included): ${duration(result.migration.ms)}; ` +
        `previous-version updates of existing rows while a backfill ran: ${DRILL_TABLES.map(
          (t) => `${t} ${result.updatesDuringBackfill[t]}`,
        ).join(', ')}`,
    );
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await pooler?.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
