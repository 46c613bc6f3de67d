// The audit migration with the history in place: the whole audit migration
// (schema, backfills, triggers, keys, indexes, catch-up) runs under a writer
// (bench/support/writer.ts) on a database whose history migrations are
// applied, with the capture triggers disabled (no trail) and enabled (as
// shipped), alternating over BENCH_MIGRATION_ROUNDS rounds. The backfills
// set only the audit columns, which the capture does not watch, so the
// trail must cost them nothing and record nothing of them: afterwards the
// history holds exactly the writer's writes.
import type pg from 'pg';
import { captureTriggerName } from '../app/history/capture-sql';
import { HISTORY_TABLE } from '../app/history/captured-table';
import { historyMigrations } from '../app/history/history-spec';
import { TABLES } from '../app/registry';
import { startBenchServer, withClient } from './support/bench-server';
import { cloneDatabase, createPreAuditDatabase, migrate } from './support/datasets';
import { duration, envInt, machineLine, printTable, quantile } from './support/report';
import { measureWithWriter, type Latencies } from './support/writer-run';

const BASE = 'bench_history_migration_base';
const RUN = 'bench_history_migration_run';

async function captureTriggers(client: pg.Client, on: boolean): Promise<void> {
  // The audited tables: their capture comes with the history's migrations (those captured only come later).
  for (const { table } of TABLES) {
    await client.query(
      `ALTER TABLE "${table}" ${on ? 'ENABLE' : 'DISABLE'} TRIGGER "${captureTriggerName(table)}"`,
    );
  }
}

async function main(): Promise<void> {
  const rows = envInt('BENCH_ROWS', 200_000);
  const idleSeconds = envInt('BENCH_IDLE_SECONDS', 10);
  const rounds = envInt('BENCH_MIGRATION_ROUNDS', 2);
  const server = await startBenchServer();
  try {
    console.log(
      `## The audit migration with and without the history's capture, ${rows} rows per table\n`,
    );
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, BASE, rows);
    // The history's migrations first (an empty history, capture in place), then the audit's under the writer.
    await migrate(server, BASE, historyMigrations().at(-1)!);
    const url = server.url(RUN);
    const runs: Array<{
      name: string;
      ms: number;
      latencies: Latencies;
      entries: number;
    }> = [];
    const off = { name: 'whole audit migration, capture off', on: false, work: 'migrate' } as const;
    const on = { name: 'whole audit migration, capture on', on: true, work: 'migrate' } as const;
    // Capture off and on alternate in order round after round: the
    // machine's load drifts more than the difference looked for.
    const modes = [
      { name: 'idle writer, capture on', on: true, work: 'idle' } as const,
      ...Array.from({ length: rounds }, (_, round) =>
        round % 2 === 0 ? [off, on] : [on, off],
      ).flat(),
    ];
    for (const mode of modes) {
      await cloneDatabase(server, BASE, RUN);
      await withClient(url, (client) => captureTriggers(client, mode.on));
      console.error(`${mode.name}...`);
      const { ms, latencies } = await measureWithWriter(url, () =>
        mode.work === 'idle'
          ? new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000))
          : migrate(server, RUN),
      );
      const entries = await withClient(url, async (client) => {
        const { rows: counted } = await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM ${HISTORY_TABLE}`,
        );
        return Number(counted[0]!.n);
      });
      runs.push({ name: mode.name, ms, latencies, entries });
    }
    printTable(
      [
        'while',
        'took',
        'writes',
        'history entries',
        'p50',
        'p99',
        'max',
        'max insert',
        'max update',
      ],
      runs.map(({ name, ms, latencies, entries }) => {
        const all = [...latencies.insert, ...latencies.update];
        return [
          name,
          duration(ms),
          all.length,
          entries,
          duration(quantile(all, 0.5)),
          duration(quantile(all, 0.99)),
          duration(Math.max(...all)),
          duration(Math.max(...latencies.insert)),
          duration(Math.max(...latencies.update)),
        ];
      }),
    );
    for (const run of runs.filter((entry) => entry.name === on.name)) {
      const writes = run.latencies.insert.length + run.latencies.update.length;
      console.log(
        `with capture on, the history holds ${run.entries} entries for the writer's ${writes} writes ` +
          `(${run.entries === writes ? 'equal: the backfills recorded nothing' : 'NOT EQUAL'}); ` +
          `rows backfilled: ${3 * rows} plus campaigns`,
      );
    }
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${RUN} WITH (FORCE)`);
    await server.admin(`DROP DATABASE IF EXISTS ${BASE} WITH (FORCE)`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
