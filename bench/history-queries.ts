// Read speed of the history at scale: a fully migrated database holding
// BENCH_HISTORY_ENTRIES (10M) history entries over 12 monthly partitions,
// then EXPLAIN (ANALYZE, BUFFERS) of the pages the API reads, as
// HistoryService builds them (bench/support/history-api-sql.ts): a row's
// history, a campaign's activity, each activity filter and their
// combinations, and pages after a cursor deep in the list.
import type pg from 'pg';
import { HISTORY_TABLE } from '../app/history/captured-table';
import { ENSURE_PARTITIONS_FUNCTION } from '../app/history/partition-sql';
import { listMigrationFiles, MIGRATIONS_DIR } from '../app/db/migration-files';
import { activityIndexMigrations } from '../app/history/history-spec';
import { startBenchServer, withClient, type BenchServer } from './support/bench-server';
import { migrate } from './support/datasets';
import { createReader, HistoryApiSql, type HistoryPageQuery } from './support/history-api-sql';
import { historyFillSql, HISTORY_SHAPE } from './support/history-fill';
import { duration, envInt, machineLine, msSince, printTable, quantile } from './support/report';

const DATABASE = 'bench_history';
const ALL_MIGRATIONS = listMigrationFiles(MIGRATIONS_DIR);
/** Entries are loaded before these, so their migrations build on a full history, as in production. */
const BEFORE_ACTIVITY_INDEXES =
  ALL_MIGRATIONS[ALL_MIGRATIONS.indexOf(activityIndexMigrations()[0]!) - 1]!;
const RUNS = 5;
const TARGET_MS = 5;

interface Timing {
  ms: number;
  planningMs: number;
  rows: number;
  buffers: string;
  plan: string;
}

interface PlanNode {
  'Node Type': string;
  'Actual Rows': number;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The plan's shape, top down along the first children, with how many scans of which indexes. */
function shape(node: PlanNode): string {
  const names: string[] = [];
  for (let n: PlanNode | undefined = node; n && names.length < 4; n = n.Plans?.[0]) {
    names.push(n['Node Type']);
  }
  const scans = new Map<string, number>();
  const walk = (n: PlanNode) => {
    const index = n['Index Name']?.replace(/^history_entries_(p\d+|default)_/, '');
    if (index) scans.set(index, (scans.get(index) ?? 0) + 1);
    n.Plans?.forEach(walk);
  };
  walk(node);
  const used = [...scans].map(([index, n]) => `${n} scans of ${index}`).join(', ');
  return `${names.join(' > ')}${used ? `: ${used}` : ''}`;
}

async function explain(client: pg.Client, query: HistoryPageQuery): Promise<Timing> {
  const { rows } = await client.query<{ 'QUERY PLAN': unknown }>(
    `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${query.sql}`,
    query.params,
  );
  const [result] = rows[0]!['QUERY PLAN'] as Array<{
    Plan: PlanNode;
    'Execution Time': number;
    'Planning Time': number;
  }>;
  const plan = result!.Plan;
  return {
    ms: result!['Execution Time'],
    planningMs: result!['Planning Time'],
    rows: plan['Actual Rows'],
    buffers: `${plan['Shared Hit Blocks'] ?? 0} hit, ${plan['Shared Read Blocks'] ?? 0} read`,
    plan: shape(plan),
  };
}

/** Median of RUNS timings after one warm-up run (the first, cold, run is printed too). */
async function time(
  client: pg.Client,
  query: HistoryPageQuery,
): Promise<Timing & { cold: number }> {
  const cold = await explain(client, query);
  const timings: Timing[] = [];
  for (let i = 0; i < RUNS; i++) timings.push(await explain(client, query));
  const median = (values: number[]) => quantile(values, 0.5);
  return {
    ...timings[0]!,
    ms: median(timings.map((t) => t.ms)),
    planningMs: median(timings.map((t) => t.planningMs)),
    cold: cold.ms,
  };
}

/** Drops the history's secondary indexes and gives back their definitions, to build after the load. */
async function setIndexesAside(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE tablename = $1 AND indexname <> $2`,
    [HISTORY_TABLE, `${HISTORY_TABLE}_pkey`],
  );
  for (const { name } of rows) await client.query(`DROP INDEX "${name}"`);
  // The definition of a partitioned table's index reads "ON ONLY": built that
  // way it would cover no partition.
  return rows.map((row) => row.definition.replace(' ON ONLY ', ' ON '));
}

async function build(
  server: BenchServer,
  client: pg.Client,
  entries: number,
): Promise<Record<string, number>> {
  const phases: Record<string, number> = {};
  let started = process.hrtime.bigint();
  const { rows } = await client.query<{ made: number }>(
    `SELECT ${ENSURE_PARTITIONS_FUNCTION}(date_trunc('month', now()) - interval '${HISTORY_SHAPE.months - 1} months', now()) AS made`,
  );
  console.error(`partitions made: ${rows[0]!.made}`);
  const definitions = await setIndexesAside(client);
  const chunk = 1_000_000;
  for (let from = 1; from <= entries; from += chunk) {
    const to = Math.min(entries, from + chunk - 1);
    await client.query(historyFillSql(), [from, to, entries]);
    console.error(`inserted ${to} of ${entries} entries (${duration(msSince(started))})`);
  }
  await client.query(`SELECT setval('history_entries_id_seq', $1)`, [entries]);
  phases.insert = msSince(started);
  started = process.hrtime.bigint();
  await client.query(`SET maintenance_work_mem = '512MB'`);
  for (const definition of definitions) {
    console.error(definition);
    await client.query(definition);
  }
  phases.indexes = msSince(started);
  started = process.hrtime.bigint();
  await client.query(`VACUUM (ANALYZE) ${HISTORY_TABLE}`);
  phases.vacuum = msSince(started);
  // The activity indexes as an operator gets them: their migrations, online.
  started = process.hrtime.bigint();
  await migrate(server, DATABASE);
  phases.activityIndexes = msSince(started);
  return phases;
}

interface Picks {
  hotRow: number;
  hotRowEntries: number;
  rowCursor: { at: string; id: string };
  bigCampaign: number;
  bigCampaignEntries: number;
  campaignCursor: { at: string; id: string };
  typicalCampaign: number;
  typicalCampaignEntries: number;
  frequentActor: number;
  frequentActorEntries: number;
  rareActorEntries: number;
  campaignKindEntries: number;
  window: { since: Date; until: Date };
}

async function pick(client: pg.Client): Promise<Picks> {
  const one = async <T>(sql: string, params: unknown[] = []) =>
    (await client.query(sql, params)).rows[0] as T;
  const hotRow = HISTORY_SHAPE.hotRow;
  const big = HISTORY_SHAPE.bigCampaign;
  const typical = HISTORY_SHAPE.typicalCampaign;
  const count = async (where: string, params: unknown[]) =>
    Number(
      (
        await one<{ n: string }>(
          `SELECT count(*) AS n FROM ${HISTORY_TABLE} WHERE ${where}`,
          params,
        )
      ).n,
    );
  const hotRowEntries = await count(`table_name = 'characters' AND row_id = $1`, [hotRow]);
  // A cursor three quarters down the list: the page a reader reaches by paging far back.
  const rowCursor = await one<{ at: string; id: string }>(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id::text AS id FROM ${HISTORY_TABLE} WHERE table_name = 'characters' AND row_id = $1
      ORDER BY at DESC, id DESC OFFSET $2 LIMIT 1`,
    [hotRow, Math.floor(hotRowEntries * 0.75)],
  );
  const bigCampaignEntries = await count(`campaign_id = $1`, [big]);
  const campaignCursor = await one<{ at: string; id: string }>(
    `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, id::text AS id FROM ${HISTORY_TABLE} WHERE campaign_id = $1
      ORDER BY at DESC, id DESC OFFSET $2 LIMIT 1`,
    [big, Math.floor(bigCampaignEntries * 0.75)],
  );
  const frequent = await one<{ actor: number; n: string }>(
    `SELECT actor_id AS actor, count(*) AS n FROM ${HISTORY_TABLE}
      WHERE campaign_id = $1 AND actor_id IS NOT NULL GROUP BY actor_id ORDER BY 2 DESC LIMIT 1`,
    [big],
  );
  const until = await one<{ until: Date }>(
    `SELECT date_trunc('day', now() - interval '6 months') AS until`,
  );
  return {
    hotRow,
    hotRowEntries,
    rowCursor,
    bigCampaign: big,
    bigCampaignEntries,
    campaignCursor,
    typicalCampaign: typical,
    typicalCampaignEntries: await count(`campaign_id = $1`, [typical]),
    frequentActor: frequent.actor,
    frequentActorEntries: Number(frequent.n),
    rareActorEntries: await count(`campaign_id = $1 AND actor_id = $2`, [
      big,
      HISTORY_SHAPE.rareActor,
    ]),
    campaignKindEntries: await count(`campaign_id = $1 AND table_name = 'campaigns'`, [big]),
    window: {
      since: new Date(until.until.getTime() - 7 * 86_400_000),
      until: until.until,
    },
  };
}

interface Case {
  name: string;
  query: HistoryPageQuery;
}

async function cases(p: Picks, api: HistoryApiSql): Promise<Case[]> {
  const big = p.bigCampaign;
  const list: Array<{ name: string; query: () => Promise<HistoryPageQuery> }> = [
    {
      name: `row history, newest 50 (a character with ${p.hotRowEntries} entries)`,
      query: () => api.rowPage('character', p.hotRow),
    },
    {
      name: 'row history, page after a cursor 75 % down',
      query: () => api.rowPage('character', p.hotRow, p.rowCursor),
    },
    {
      name: `activity, newest 50 (big campaign, ${p.bigCampaignEntries} entries)`,
      query: () => api.activityPage(big),
    },
    {
      name: `activity, newest 50 (typical campaign, ${p.typicalCampaignEntries} entries)`,
      query: () => api.activityPage(p.typicalCampaign),
    },
    {
      name: 'activity, page after a cursor 75 % down (big campaign)',
      query: () => api.activityPage(big, { cursor: p.campaignCursor }),
    },
    {
      name: `activity, actor filter: frequent actor (${p.frequentActorEntries} entries)`,
      query: () => api.activityPage(big, { actor: p.frequentActor }),
    },
    {
      name: `activity, actor filter: rare actor (${p.rareActorEntries} entries)`,
      query: () => api.activityPage(big, { actor: HISTORY_SHAPE.rareActor }),
    },
    {
      name: 'activity, actor filter: an actor with no entries in the campaign',
      query: () => api.activityPage(big, { actor: HISTORY_SHAPE.silentActor }),
    },
    {
      name: 'activity, kind filter: item (55 %)',
      query: () => api.activityPage(big, { kind: 'item' }),
    },
    {
      name: `activity, kind filter: campaign (${p.campaignKindEntries} entries)`,
      query: () => api.activityPage(big, { kind: 'campaign' }),
    },
    {
      name: 'activity, kind filter: location (none in this campaign)',
      query: () => api.activityPage(big, { kind: 'location' }),
    },
    {
      name: 'activity, since only (last 30 days)',
      query: () =>
        api.activityPage(big, { since: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
    },
    {
      name: 'activity, since + until (a 7-day window 6 months back)',
      query: () =>
        api.activityPage(big, {
          since: p.window.since.toISOString(),
          until: p.window.until.toISOString(),
        }),
    },
    {
      name: 'activity, until only (6 months back)',
      query: () => api.activityPage(big, { until: p.window.until.toISOString() }),
    },
    {
      name: 'activity, rare actor + cursor 75 % down',
      query: () =>
        api.activityPage(big, { actor: HISTORY_SHAPE.rareActor, cursor: p.campaignCursor }),
    },
    {
      name: 'activity, actor + kind: frequent actor, kind=location (none)',
      query: () => api.activityPage(big, { actor: p.frequentActor, kind: 'location' }),
    },
    {
      name: 'activity, actor + kind: frequent actor, kind=campaign',
      query: () => api.activityPage(big, { actor: p.frequentActor, kind: 'campaign' }),
    },
    {
      name: 'activity, actor + kind: rare actor, kind=item',
      query: () => api.activityPage(big, { actor: HISTORY_SHAPE.rareActor, kind: 'item' }),
    },
  ];
  const built: Case[] = [];
  for (const c of list) built.push({ ...c, query: await c.query() });
  return built;
}

async function main(): Promise<void> {
  const entries = envInt('BENCH_HISTORY_ENTRIES', 10_000_000);
  const server = await startBenchServer();
  try {
    console.log(`## History read speed: ${entries} entries over ${HISTORY_SHAPE.months} months\n`);
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await server.admin(`CREATE DATABASE ${DATABASE}`);
    console.error('migrating...');
    await migrate(server, DATABASE, BEFORE_ACTIVITY_INDEXES);
    await withClient(server.url(DATABASE), async (client) => {
      const phases = await build(server, client, entries);
      const { rows: sizes } = await client.query<{ partitions: string; total: string }>(
        `SELECT count(*) AS partitions,
                pg_size_pretty(sum(pg_total_relation_size(inhrelid))) AS total
           FROM pg_inherits WHERE inhparent = to_regclass($1)`,
        [HISTORY_TABLE],
      );
      console.log(
        `built in ${duration(phases.insert! + phases.indexes! + phases.vacuum!)}: insert ${duration(phases.insert!)}, ` +
          `row and campaign indexes ${duration(phases.indexes!)}, vacuum analyze ${duration(phases.vacuum!)}; ` +
          `then the activity index migrations (each partition's index built concurrently) ${duration(phases.activityIndexes!)}; ` +
          `${sizes[0]!.partitions} partitions (default included), ${sizes[0]!.total} with indexes\n`,
      );
      const p = await pick(client);
      const reader = await createReader(
        client,
        [p.bigCampaign, p.typicalCampaign],
        [{ id: p.hotRow, campaign: p.bigCampaign }],
      );
      const api = HistoryApiSql.open(server.url(DATABASE), reader);
      const all = await cases(p, api).finally(() => api.close());
      await client.query('ANALYZE');
      const results = new Map<string, Timing & { cold: number }>();
      for (const c of all) {
        console.error(`timing: ${c.name}`);
        results.set(c.name, await time(client, c.query));
      }
      printTable(
        ['page (?limit=50)', 'rows', 'execution', 'planning', 'cold', 'buffers', 'plan', 'target'],
        all.map((c) => {
          const t = results.get(c.name)!;
          return [
            c.name,
            t.rows,
            `${t.ms.toFixed(3)} ms`,
            `${t.planningMs.toFixed(3)} ms`,
            `${t.cold.toFixed(3)} ms`,
            t.buffers,
            t.plan,
            t.ms + t.planningMs < TARGET_MS ? 'met' : 'MISSED',
          ];
        }),
      );
      console.log(
        `\nmedian of ${RUNS} EXPLAIN (ANALYZE, BUFFERS) runs after a cold first run; target: execution + planning under ${TARGET_MS} ms`,
      );
    });
    console.log(machineLine(server.version));
    await server.admin(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
