import { createServer, type Server } from 'node:http';
import { createApp } from './app';
import { loadConfig } from './config';
import { openDatabase, openMigrationSequelize, redactUrl, type Database } from './db/database';
import { migrateUp } from './db/migration-runner';
import { initModels } from '../models';
import { startPartitionUpkeep } from './history/partition-upkeep';
import { createLogger } from './logger';
import { runMain } from './cli/run-main';
import { OperatorError } from './operator-error';
import type { AppConfig } from './config';
import type { Logger } from './logger';
import { Readiness } from './health/readiness';
import { serveUntilSignal, watchStopSignals } from './shutdown';

/** The port is taken or the address cannot be bound. */
class ListenError extends OperatorError {
  override readonly name = 'ListenError';
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} on ${host} is already in use; stop the other process or set PORT to a free port`
          : `cannot listen on ${host}:${port} (${error.code ?? error.message}); check HOST and PORT`;
      reject(new ListenError(reason));
    });
    server.listen(port, host, resolve);
  });
}

/**
 * Applies pending migrations before serving, through MIGRATION_DATABASE_URL
 * when set (the app's own DATABASE_URL may be a transaction pooler, which
 * the migrator refuses). Instances started at once queue on the lock.
 */
async function migrateOnStart(config: AppConfig, db: Database, logger: Logger): Promise<void> {
  const log = (line: string) => logger.info(line);
  let applied: string[];
  if (config.migrationDatabaseUrl) {
    const url = config.migrationDatabaseUrl;
    const sequelize = await openMigrationSequelize(url, 'MIGRATION_DATABASE_URL');
    try {
      applied = await migrateUp(sequelize, url, { log });
    } finally {
      await sequelize.close();
    }
  } else {
    applied = await migrateUp(db.sequelize, db.url, { log });
  }
  logger.info({ applied: applied.length }, 'migrations up to date');
}

runMain('gma', async () => {
  const config = loadConfig();
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
    const readiness = new Readiness(db.sequelize);
    const app = createApp({ sequelize: db.sequelize, logger, readiness });
    const server = createServer(app);
    await listen(server, config.port, config.host);
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    logger.info({ host: config.host, port }, `listening on http://${config.host}:${port}`);

    await serveUntilSignal(server, signals, readiness, config.shutdownDelayMs, logger);
  } finally {
    stopUpkeep();
    await db.close();
  }
  logger.info('stopped');
  return 0;
});
