import path from 'node:path';
import type { Sequelize as SequelizeInstance } from 'sequelize';
import { Sequelize } from 'sequelize';
import { Umzug } from 'umzug';
import { MigrationHistory } from './migration-history';
import { MIGRATIONS_DIR, SEEDERS_DIR, listMigrationFiles, loadMigration } from './migration-files';

export type Migrator = Umzug<ReturnType<SequelizeInstance['getQueryInterface']>>;

export interface MigratorOptions {
  /** Folder of the files; default `migrations/`. */
  dir?: string;
  /** History table; `SequelizeMeta` for migrations, `SequelizeData` for seeders (as sequelize-cli). */
  tableName?: string;
}

/**
 * An Umzug runner over the same files and the same history table as
 * sequelize-cli, calling each file's `up(queryInterface, Sequelize)`.
 * Names are file names with their extension, as sequelize-cli stores them.
 */
export function createMigrator(
  sequelize: SequelizeInstance,
  options: MigratorOptions = {},
): Migrator {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const queryInterface = sequelize.getQueryInterface();
  return new Umzug({
    migrations: () =>
      listMigrationFiles(dir).map((name) => {
        const file = path.join(dir, name);
        return {
          name,
          path: file,
          up: async () => loadMigration(file).up(queryInterface, Sequelize),
          down: async () => loadMigration(file).down(queryInterface, Sequelize),
        };
      }),
    context: queryInterface,
    storage: history(sequelize, options),
    logger: undefined,
  });
}

function history(sequelize: SequelizeInstance, options: MigratorOptions): MigrationHistory {
  return new MigrationHistory(sequelize, options.tableName ?? 'SequelizeMeta');
}

/** Creates the runner's history table if it is missing (the runner does, before running anything). */
export async function ensureMigrationHistory(
  sequelize: SequelizeInstance,
  options: MigratorOptions = {},
): Promise<void> {
  await history(sequelize, options).ensureTable();
}

/** The seeders' runner: `seeders/`, history in `SequelizeData` like `db:seed:all`. */
export function createSeeder(sequelize: SequelizeInstance): Migrator {
  return createMigrator(sequelize, { dir: SEEDERS_DIR, tableName: 'SequelizeData' });
}
