import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withDataDiscarded } from '../../db/migration-lib/kept-rows';
import { withMigrationLog } from '../../db/migration-lib/migration-log';
import { createMigrator, ensureMigrationHistory } from '../../db/migrator';
import { createSequelize } from '../../db/sequelize';
import { ident } from '../../db/sql-identifier';
import { openStableClient } from '../pg-client';
import { recordQueries } from '../plan/sql-recorder';
import { isBehaviour, normalizeStatement, normalizeText, type ReplayClock } from './normalize-sql';
import { REFERENCE_DATA } from './reference-data';
import { dumpSchema, schemaChange } from './schema-dump';
import type { MigrationTranscript, StepTranscript } from './transcript';

/**
 * The tuning every replay runs with, so a transcript is the same each time:
 * the default lock timeout and attempts, a first batch of 2 rows, and a
 * batch target no small batch reaches, so each batch doubles the last.
 */
export const REPLAY_TUNING: Readonly<Record<string, string>> = {
  GMA_DDL_LOCK_TIMEOUT_MS: '50',
  GMA_DDL_ATTEMPTS: '40',
  GMA_BACKFILL_BATCH_MS: '60000',
  GMA_BACKFILL_FIRST_BATCH: '2',
  GMA_BACKFILL_PAUSE_MS: '0',
};

async function withTuning<T>(fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(REPLAY_TUNING).map((k) => [k, process.env[k]]));
  Object.assign(process.env, REPLAY_TUNING);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

function urlOf(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Replays `names` (in that order) on a fresh database of `serverUrl`'s
 * server: each up, with the reference data written before the ups that
 * need it, then each down in reverse order. Returns every migration's
 * transcript. The scratch database is dropped after; nothing else is
 * touched. The role needs CREATEDB.
 */
export async function replayMigrations(
  serverUrl: string,
  names: readonly string[],
): Promise<MigrationTranscript[]> {
  const database = `gma_replay_${randomBytes(5).toString('hex')}`;
  const admin = await openStableClient(serverUrl, 'gma-replay');
  try {
    await admin.query(`CREATE DATABASE ${ident(database)}`);
  } finally {
    await admin.end();
  }
  const url = urlOf(serverUrl, database);
  const sequelize = createSequelize(url);
  const inspector = await openStableClient(url, 'gma-replay-inspector');
  const clock: ReplayClock = { now: new Date() };
  try {
    await ensureMigrationHistory(sequelize);
    const migrator = createMigrator(sequelize);
    const dump = async () => (await dumpSchema(inspector)).map((l) => normalizeText(l, clock));
    let schema = await dump();
    const step = async (name: string, direction: 'up' | 'down'): Promise<StepTranscript> => {
      const statements: string[] = [];
      let error: string | undefined;
      try {
        await recordQueries(
          database,
          ({ sql, params }) => {
            if (isBehaviour(sql)) statements.push(normalizeStatement(sql, params, clock));
          },
          () =>
            withMigrationLog(
              () => {},
              () =>
                direction === 'up'
                  ? migrator.up({ migrations: [name] })
                  : migrator.down({ migrations: [name] }),
            ),
        );
      } catch (caught) {
        const cause = (caught as { cause?: unknown }).cause ?? caught;
        error = (cause as Error).message ?? String(cause);
      }
      const after = await dump();
      const transcript: StepTranscript = {
        statements,
        schema: schemaChange(schema, after),
      };
      if (error !== undefined) transcript.error = normalizeStatement(error, undefined, clock);
      schema = after;
      return transcript;
    };
    const ups = new Map<string, StepTranscript>();
    await withTuning(async () => {
      for (const name of names) {
        await writeReferenceData(inspector, name);
        const up = await step(name, 'up');
        ups.set(name, up);
        if (up.error) break;
      }
    });
    const downs = new Map<string, StepTranscript>();
    // Every down runs to its end on the reference data, as db:rollback
    // --discard-data does: a down that refuses to drop rows otherwise is
    // recorded by what it sends when allowed to.
    await withDataDiscarded(() =>
      withTuning(async () => {
        for (const name of [...ups.keys()].reverse()) {
          if (ups.get(name)!.error) continue;
          const down = await step(name, 'down');
          downs.set(name, down);
          if (down.error) break;
        }
      }),
    );
    const none: StepTranscript = {
      statements: [],
      schema: { added: [], removed: [] },
      error: 'not run',
    };
    return names.map((migration) => ({
      migration,
      up: ups.get(migration) ?? none,
      down: downs.get(migration) ?? none,
    }));
  } finally {
    await inspector.end();
    await sequelize.close();
    const cleanup = await openStableClient(serverUrl, 'gma-replay');
    try {
      await cleanup.query(`DROP DATABASE IF EXISTS ${ident(database)} WITH (FORCE)`);
    } finally {
      await cleanup.end();
    }
  }
}

async function writeReferenceData(client: pg.Client, name: string): Promise<void> {
  for (const sql of REFERENCE_DATA[name] ?? []) await client.query(sql);
}
