import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedPostgres } from '../../app/db/embedded-postgres';
import { createSequelize } from '../../app/db/sequelize';
import { migrateUp } from '../../app/db/migration-runner';
import { startPgBouncer, type PgBouncer } from '../../app/dev/pgbouncer';
import { reapOnExit } from './server-reaper';
import { TEMPLATES, databaseUrl, withAdminClient } from './test-server';

let embedded: EmbeddedPostgres | undefined;
let pgbouncer: PgBouncer | undefined;
let dataDir: string | undefined;
let disarmReaper: (() => void) | undefined;

/** Builds the template databases that every test clones. */
async function createTemplates(): Promise<void> {
  await withAdminClient(async (client) => {
    for (const name of Object.values(TEMPLATES)) {
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${name}`);
    }
  });
  const url = databaseUrl(TEMPLATES.latest);
  const sequelize = createSequelize(url);
  try {
    await migrateUp(sequelize, url);
  } finally {
    await sequelize.close();
  }
}

export async function mochaGlobalSetup(): Promise<void> {
  process.env.NODE_ENV = 'test';
  // A developer's own would send the commands under test to another database.
  delete process.env.MIGRATION_DATABASE_URL;
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    const url = new URL(external);
    process.env.GMA_TEST_ADMIN_DATABASE = url.pathname.slice(1) || 'postgres';
    url.pathname = '/';
    process.env.GMA_TEST_SERVER_URL = url.toString();
  } else {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gma-test-pg-'));
    fs.chmodSync(dataDir, 0o755);
    embedded = await EmbeddedPostgres.start({ dataDir, database: 'postgres', durable: false });
    stopServersOnExit();
    const url = new URL(embedded.url);
    url.pathname = '/';
    process.env.GMA_TEST_SERVER_URL = url.toString();
  }
  await createTemplates();
  await startTransactionPooler();
  stopServersOnExit();
}

/**
 * Mocha runs global setup once, in its main process, also in parallel mode
 * (the workers share these servers): from here on they are stopped even when
 * a test crashes the run, or the run is killed before global teardown.
 */
function stopServersOnExit(): void {
  disarmReaper?.();
  disarmReaper = reapOnExit({
    postgresPid: embedded?.pid(),
    pgbouncerPid: pgbouncer?.pid,
    dataDir,
  });
}

/**
 * PgBouncer in transaction mode in front of the test server, for the tests
 * that run the app and the migrator through a pooler. When it cannot start
 * (not installed), those tests fail with the reason; the others run.
 */
async function startTransactionPooler(): Promise<void> {
  try {
    pgbouncer = await startPgBouncer(process.env.GMA_TEST_SERVER_URL!, 'transaction');
    process.env.GMA_TEST_PGBOUNCER_URL = pgbouncer.serverUrl;
  } catch (error) {
    process.env.GMA_TEST_PGBOUNCER_ERROR = (error as Error).message;
  }
}

export async function mochaGlobalTeardown(): Promise<void> {
  disarmReaper?.();
  disarmReaper = undefined;
  await pgbouncer?.stop();
  await embedded?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}
