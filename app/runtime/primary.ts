import { Registry } from 'prom-client';
import type { AppConfig } from '../config';
import { cursorSecretOf } from '../cursor-secret';
import { openDatabase, redactUrl } from '../db/database';
import { startPartitionUpkeep } from '../history/partition-upkeep';
import { createLogger } from '../logger';
import { ClusterMetrics } from '../metrics/cluster-metrics';
import { SHUTDOWN_GRACE_MS, watchStopSignals } from '../shutdown';
import { migrateOnStart } from './migrate-on-start';
import { WorkerPool } from './worker-pool';

/** Beyond the drain itself, how long the primary lets a worker close its database before killing it. */
const STOP_MARGIN_MS = 5_000;

/**
 * WEB_CONCURRENCY > 1: the primary opens the database (or starts the
 * embedded one), migrates once, keeps the history partitions ahead (once per
 * machine, not once per worker), then forks the workers, which share the
 * port, and replaces any that dies. The workers get the database's URL and
 * the cursor secret from it, so they all sign and connect alike. On a stop
 * signal every worker drains; the primary then closes the database and the
 * embedded server, and exits.
 */
export async function runPrimary(config: AppConfig): Promise<number> {
  const logger = createLogger(config.logLevel).child({ role: 'primary', pid: process.pid });
  const signals = watchStopSignals();
  const cursorSecret = cursorSecretOf(config);
  const db = await openDatabase(config);
  logger.info({ database: redactUrl(db.url), embedded: db.embedded }, 'database connected');
  let stopUpkeep = () => {};
  let pool: WorkerPool | undefined;
  let clean = true;
  try {
    if (config.migrateOnStart) await migrateOnStart(config, db, logger);
    stopUpkeep = await startPartitionUpkeep(db.sequelize, logger);
    const registry = new Registry();
    const workers = new WorkerPool({
      count: config.webConcurrency,
      env: { DATABASE_URL: db.url, CURSOR_SECRET: cursorSecret, MIGRATE_ON_START: 'false' },
      logger,
      registry,
      stopTimeoutMs: config.shutdownDelayMs + SHUTDOWN_GRACE_MS + STOP_MARGIN_MS,
    });
    pool = workers;
    new ClusterMetrics(registry, () => workers.servingWorkers());
    signals.onRepeat((signal) => {
      logger.warn({ signal }, 'second signal: workers close every connection now');
      workers.stopNow();
    });
    logger.info({ workers: config.webConcurrency }, 'forking workers');
    // A signal during start-up lets the workers finish starting, then stops them.
    await workers.start();
    logger.info({ workers: config.webConcurrency }, 'every worker serving');
    const signal = await signals.first;
    logger.info({ signal }, 'shutting down: every worker drains');
  } finally {
    if (pool) clean = await pool.stop();
    stopUpkeep();
    await db.close();
  }
  logger.info('stopped');
  return clean ? 0 : 1;
}
