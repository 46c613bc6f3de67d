import type { AppConfig } from '../config';
import { openDatabase, redactUrl } from '../db/database';
import { startPartitionUpkeep } from '../history/partition-upkeep';
import { createLogger } from '../logger';
import { initModels } from '../../models';
import { watchStopSignals } from '../shutdown';
import { migrateOnStart } from './migrate-on-start';
import { serveApp } from './serve-app';

/**
 * WEB_CONCURRENCY=1: one process opens the database (or starts the embedded
 * one), migrates, keeps the history partitions ahead and serves; on a stop
 * signal it drains, then closes the database and the embedded server.
 */
export async function runSingleProcess(config: AppConfig): Promise<number> {
  const logger = createLogger(config.logLevel);
  // Watched before the embedded PostgreSQL starts, so no signal can leave it running.
  const signals = watchStopSignals();
  const db = await openDatabase(config);
  initModels(db.sequelize);
  logger.info({ database: redactUrl(db.url), embedded: db.embedded }, 'database connected');
  let stopUpkeep = () => {};
  try {
    if (config.migrateOnStart) await migrateOnStart(config, db, logger);
    stopUpkeep = await startPartitionUpkeep(db.sequelize, logger);
    await serveApp(config, db.sequelize, signals, logger);
  } finally {
    stopUpkeep();
    await db.close();
  }
  logger.info('stopped');
  return 0;
}
