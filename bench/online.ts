// Online-ness: a writer (bench/support/writer.ts, its own process and
// connection) does single-row inserts and updates of rows spread across
// characters, items and locations; its latency is measured with nothing else
// running, while the whole audit migration runs (schema, backfill, foreign
// keys, indexes), and while one set-based UPDATE per table fills the same
// fields (what a naive backfill does). For the migration, its p99 and max
// are also given per step, each write counted in the step it started in.
import { AUDITED_TABLES } from '../app/audit/audit-spec';
import { addedColumns } from '../app/registry';
import { setBasedFillSql } from '../app/audit/rule-sql';
import { startBenchServer, withClient, type BenchServer } from './support/bench-server';
import { cloneDatabase, createPreAuditDatabase, migrate } from './support/datasets';
import { duration, envInt, machineLine, printTable, quantile } from './support/report';
import { printStepLatencies } from './support/step-report';
import { measureWithWriter as measure, type Latencies } from './support/writer-run';
import { StepTimeline } from '../app/dev/step-timeline';

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 1_000_000);
  const idleSeconds = envInt('BENCH_IDLE_SECONDS', 10);
  const server: BenchServer = await startBenchServer();
  try {
    console.log(`## Online-ness: writer latency, ${rows} rows per table\n`);
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, 'bench_online_base', rows);
    const run = server.url('bench_online_run');
    const results: Array<[string, { ms: number; latencies: Latencies }]> = [];

    await cloneDatabase(server, 'bench_online_base', 'bench_online_run');
    console.error(`idle writer for ${idleSeconds} s...`);
    results.push([
      'no migration (idle)',
      await measure(run, () => new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))),
    ]);

    await cloneDatabase(server, 'bench_online_base', 'bench_online_run');
    console.error('whole audit migration under the writer...');
    const timeline = new StepTimeline();
    const ours = await measure(run, () =>
      migrate(server, 'bench_online_run', undefined, timeline.line),
    );
    results.push(['whole audit migration (ours)', ours]);

    await cloneDatabase(server, 'bench_online_base', 'bench_online_run');
    // Every audit column at once, as a plain ALTER: the floor needs them all
    // empty, a state no migration order passes through.
    await withClient(run, async (client) => {
      for (const spec of AUDITED_TABLES) {
        for (const { name } of addedColumns(spec)) {
          await client.query(`ALTER TABLE ${spec.table} ADD COLUMN ${name} integer`);
        }
      }
    });
    console.error('one set-based UPDATE per table under the writer...');
    results.push([
      'one set-based UPDATE per table',
      await measure(run, () =>
        withClient(run, async (client) => {
          for (const spec of AUDITED_TABLES) await client.query(setBasedFillSql(spec));
        }),
      ),
    ]);

    printTable(
      ['while', 'took', 'writes', 'p50', 'p99', 'max', 'max insert', 'max update'],
      results.map(([name, { ms, latencies }]) => {
        const all = [...latencies.insert, ...latencies.update];
        return [
          name,
          duration(ms),
          all.length,
          duration(quantile(all, 0.5)),
          duration(quantile(all, 0.99)),
          duration(Math.max(...all)),
          duration(Math.max(...latencies.insert)),
          duration(Math.max(...latencies.update)),
        ];
      }),
    );
    printStepLatencies(
      'The writer during the whole audit migration (ours)',
      timeline.steps,
      ours.latencies.writes.map(([startedAt, ms]) => ({ startedAt, ms })),
    );
    console.log(machineLine(server.version));
    await server.admin('DROP DATABASE IF EXISTS bench_online_run WITH (FORCE)');
    await server.admin('DROP DATABASE IF EXISTS bench_online_base WITH (FORCE)');
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
