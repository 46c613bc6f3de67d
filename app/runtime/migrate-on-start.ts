import type { AppConfig } from '../config';
import { openMigrationSequelize, type Database } from '../db/database';
import { migrateUp } from '../db/migration-runner';
import type { Logger } from '../logger';

/**
 * Applies pending migrations before serving, through MIGRATION_DATABASE_URL
 * when set (the app's own DATABASE_URL may be a transaction pooler, which
 * the migrator refuses). Instances started at once queue on the lock; with
 * several workers, the primary runs this once before it forks them.
 */
export async function migrateOnStart(
  config: AppConfig,
  db: Database,
  logger: Logger,
): Promise<void> {
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
