import cluster from 'node:cluster';
import type { AppConfig } from '../config';
import { openDatabase } from '../db/database';
import { createLogger } from '../logger';
import { initModels } from '../../models';
import { serveApp } from './serve-app';
import { watchWorkerStopSignals } from './worker-signals';

/**
 * A cluster worker: the primary has migrated and keeps the partitions ahead,
 * and gave it DATABASE_URL (the embedded server's too) and CURSOR_SECRET;
 * the worker connects and serves until it is told to stop.
 */
export async function runWorker(config: AppConfig): Promise<number> {
  const logger = createLogger(config.logLevel).child({
    worker: cluster.worker?.id,
    pid: process.pid,
  });
  const signals = watchWorkerStopSignals();
  const db = await openDatabase(config);
  try {
    initModels(db.sequelize);
    await serveApp(config, db.sequelize, signals, logger);
  } finally {
    await db.close();
  }
  logger.info('worker stopped');
  return 0;
}
