import { startAppServer, type AppServerProcess } from '../app-server';
import { heldAdvisoryLocks } from '../advisory-locks';
import { startMigrator } from '../migrator-process';
import { StepTimeline, type StepSpan } from '../step-timeline';
import { countAudit, type DrillCounts } from './audit-counts';
import { lastWriters } from './last-writers';
import { watchMigration, type MigrationMoments } from './migration-watch';
import { newVersionUsers, type HttpLog } from './new-version-users';
import { startPreviousVersionWriter, type WriterLog } from './previous-version';
import { DRILL_TABLES, type DrillTable } from './writer-protocol';

/** The steps of a rolling upgrade the previous version's latency is reported by. */
export const PHASES = ['before', 'during', 'after'] as const;
export type Phase = (typeof PHASES)[number];

export interface DrillOptions {
  /** A direct connection to the database, at the pre-audit state with data. */
  directUrl: string;
  /** The same database through PgBouncer in transaction mode. */
  pooledUrl: string;
  /** How long the previous version writes before `db:migrate` starts. */
  beforeMs: number;
  /** How long the new version's users write once both instances serve. */
  afterMs: number;
  /** Users of the new version (at least 2). */
  users: number;
  /** Extra environment of `db:migrate` (e.g. the backfill's batch tuning). */
  migratorEnv?: Record<string, string>;
  /** Progress lines (benchmarks print them on stderr). */
  log?: (line: string) => void;
}

export interface DrillResult {
  counts: DrillCounts;
  /** Advisory locks held in the database once every process has stopped. */
  advisoryLocks: number;
  previous: WriterLog;
  /** The previous version's write latencies (ms) by step. */
  latency: Record<Phase, number[]>;
  http: HttpLog;
  /** The migration's time, what the watcher saw, and each step as the runner logged it. */
  migration: { ms: number; moments: MigrationMoments; steps: StepSpan[] };
  /**
   * Per table: the previous version's updates of rows that existed before,
   * made after the table's audit columns appeared and before its backfill
   * was recorded (the window where the backfill may not have reached them).
   */
  updatesDuringBackfill: Record<DrillTable, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A rolling upgrade, from outside: the previous version writes through the
 * pooler before, during and after `db:migrate` (a real process, migrating
 * over a direct connection); then two new-version instances (real processes,
 * through the pooler) serve several users while the previous version keeps
 * writing. Counts, with fresh queries, what the audit columns say against
 * who made each row's last change.
 */
export async function runRollingDrill(options: DrillOptions): Promise<DrillResult> {
  const log = options.log ?? (() => undefined);
  const previousVersion = await startPreviousVersionWriter(options.pooledUrl);
  const servers: AppServerProcess[] = [];
  try {
    log('previous version writing...');
    await sleep(options.beforeMs);

    log('db:migrate (MIGRATION_DATABASE_URL direct, DATABASE_URL through the pooler)...');
    const watch = await watchMigration(options.directUrl);
    const migrationStartedAt = Date.now();
    const timeline = new StepTimeline();
    const migrator = startMigrator(
      options.pooledUrl,
      { MIGRATION_DATABASE_URL: options.directUrl, ...options.migratorEnv },
      timeline.chunk,
    );
    const code = await migrator.exited;
    const migrationEndedAt = Date.now();
    const moments = await watch.stop();
    if (code !== 0) throw new Error(`db:migrate exited ${code}: ${migrator.stderr()}`);

    log('two new-version instances...');
    for (let i = 0; i < 2; i++) {
      servers.push(
        await startAppServer({
          DATABASE_URL: options.pooledUrl,
          MIGRATION_DATABASE_URL: options.directUrl,
          MIGRATE_ON_START: 'true',
          LOG_LEVEL: 'silent',
          REGISTER_MAX_PER_ADDRESS: '1000',
        }),
      );
    }
    await Promise.all(servers.map((server) => server.ready()));
    const users = await newVersionUsers(
      servers.map((s) => s.base),
      options.users,
      (table, ids) => previousVersion.adopt(table, ids),
    );
    log(`${options.users} users writing through both instances...`);
    const deadline = Date.now() + options.afterMs;
    const http = await users.run(() => Date.now() < deadline);

    const previous = await previousVersion.stop();
    await Promise.all(servers.splice(0).map((server) => server.stop()));

    const latency: Record<Phase, number[]> = { before: [], during: [], after: [] };
    const updatesDuringBackfill = Object.fromEntries(DRILL_TABLES.map((t) => [t, 0])) as Record<
      DrillTable,
      number
    >;
    for (const [table, id, kind, startedAt, ms] of previous.writes) {
      const phase: Phase =
        startedAt < migrationStartedAt
          ? 'before'
          : startedAt < migrationEndedAt
            ? 'during'
            : 'after';
      latency[phase].push(ms);
      const columnsAt = moments.columnsAt[table] ?? Infinity;
      const backfilledAt = moments.backfilledAt[table] ?? -Infinity;
      if (
        kind !== 'insert' &&
        id <= previous.ranges[table].max &&
        startedAt > columnsAt &&
        startedAt < backfilledAt
      ) {
        updatesDuringBackfill[table] += 1;
      }
    }

    log('counting...');
    const expectations = lastWriters(previous, http, {
      ...moments,
      startedAt: migrationStartedAt,
      endedAt: migrationEndedAt,
    });
    return {
      counts: await countAudit(options.directUrl, expectations),
      advisoryLocks: await heldAdvisoryLocks(options.directUrl),
      previous,
      latency,
      http,
      migration: { ms: migrationEndedAt - migrationStartedAt, moments, steps: timeline.steps },
      updatesDuringBackfill,
    };
  } finally {
    previousVersion.kill();
    await Promise.all(servers.map((server) => server.stop()));
  }
}
