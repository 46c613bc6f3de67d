// Every down undoes its own up, at scale: on a database of BENCH_ROWS rows
// per table (1M by default), each migration after the first audit one runs
// up, then down, then up again, after writes as a previous app version makes
// them (app/dev/previous-version-writes.ts). Before the up and after the
// down, every table of the app and of the audit archive is summed (row count and a hash of every row): a table whose sums
// differ is a down that is not exact. Prints each step's up and down time,
// the values the runner recorded for it, and the differing tables (none
// expected).
//   npm run bench:exact-downs              (BENCH_ROWS=200000 for a quicker run)
import type pg from 'pg';
import { firstAuditMigration } from '../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../app/db/migration-files';
import { migrateDown, migrateUp } from '../app/db/migration-runner';
import { RECORD_SCHEMA } from '../app/db/migration-lib/recorded-fills';
import { createSequelize } from '../app/db/sequelize';
import { writeAsPreviousVersion } from '../app/dev/previous-version-writes';
import { runBench, withClient } from './support/bench-server';
import { createPreAuditDatabase, migrate } from './support/datasets';
import { duration, envInt, msSince, printTable } from './support/report';

const DATABASE = 'bench_exact_downs';
const ALL = listMigrationFiles(MIGRATIONS_DIR);
const STEPS = ALL.slice(ALL.indexOf(firstAuditMigration()) + 1);
// The runner's own bookkeeping (SequelizeMeta's rows aside, the fill
// record) is not the app's data: a run stays, marked undone.
const SCHEMAS = ['public', 'audit_archive'];

/** Row count and a hash sum of every row, per table of SCHEMAS (one pass per table). */
async function tableSums(client: pg.Client): Promise<Map<string, string>> {
  const { rows: tables } = await client.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY($1) AND NOT c.relispartition
      ORDER BY 1`,
    [SCHEMAS],
  );
  const sums = new Map<string, string>();
  for (const { name } of tables) {
    const { rows } = await client.query<{ n: string; h: string | null }>(
      `SELECT count(*) AS n, sum(hashtextextended(t::text, 0)::numeric) AS h FROM ${name} t`,
    );
    sums.set(name, `${rows[0]!.n} rows, ${rows[0]!.h ?? 0}`);
  }
  return sums;
}

function differing(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name) !== after.get(name));
}

async function recorded(client: pg.Client, migration: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(
    `SELECT count(*) AS n FROM ${RECORD_SCHEMA}.fills f JOIN ${RECORD_SCHEMA}.runs r ON r.id = f.run
      WHERE r.migration = $1`,
    [migration],
  );
  return Number(rows[0]!.n);
}

function main(): void {
  if (process.argv.includes('--help')) {
    console.log(
      'Usage: npm run bench:exact-downs\n\nEach migration after the first audit one: up, down, up, on BENCH_ROWS rows per table (default 1000000), comparing every table before the up and after the down.\nBENCH_DATABASE_URL runs on a server of yours.',
    );
    return;
  }
  const rows = envInt('BENCH_ROWS', 1_000_000);
  runBench(async (server) => {
    console.log(`## Every down exact: up, down, up of each step at ${rows} rows per table\n`);
    console.error(`generating ${rows} rows per table...`);
    await createPreAuditDatabase(server, DATABASE, rows);
    await migrate(server, DATABASE, firstAuditMigration());
    const url = server.url(DATABASE);
    const sequelize = createSequelize(url);
    const table: Array<Array<string | number>> = [];
    let inexact = 0;
    try {
      await withClient(url, async (client) => {
        for (const [k, name] of STEPS.entries()) {
          await writeAsPreviousVersion(sequelize, k);
          const before = await tableSums(client);
          let started = process.hrtime.bigint();
          await migrateUp(sequelize, url, { to: name });
          const up = msSince(started);
          const values = await recorded(client, name);
          started = process.hrtime.bigint();
          await migrateDown(sequelize, url, { to: name });
          const down = msSince(started);
          const changed = differing(before, await tableSums(client));
          if (changed.length > 0) inexact += 1;
          await migrateUp(sequelize, url, { to: name });
          console.error(
            `${name}: up ${duration(up)}, down ${duration(down)}, ${changed.length} differing`,
          );
          table.push([name, duration(up), duration(down), values, changed.join(', ') || 'none']);
        }
      });
    } finally {
      await sequelize.close();
    }
    printTable(
      ['migration', 'up', 'down', 'values recorded', 'tables differing after the down'],
      table,
    );
    console.log(
      `\n${inexact} of ${STEPS.length} downs left a table different from before their up`,
    );
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });
}

main();
