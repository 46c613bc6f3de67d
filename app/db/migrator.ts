import path from 'node:path';
import type { Sequelize as SequelizeInstance } from 'sequelize';
import { Sequelize } from 'sequelize';
import { Umzug } from 'umzug';
import { MigrationHistory } from './migration-history';
import { MIGRATIONS_DIR, SEEDERS_DIR, listMigrationFiles, loadMigration } from './migration-files';
import { runWithRecord } from './transactional-step';

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
 *
 * A migration that declares `transactional: true` runs in one transaction
 * that also writes (or, reverting, deletes) its `SequelizeMeta` row, so no
 * crash can leave it committed but unrecorded. The others commit in steps
 * and are written so that a re-run after a crash is harmless. sequelize-cli
 * records every migration after it returns: this runner is the crash-safe one.
 */
export function createMigrator(
  sequelize: SequelizeInstance,
  options: MigratorOptions = {},
): Migrator {
  const dir = options.dir ?? MIGRATIONS_DIR;
  const queryInterface = sequelize.getQueryInterface();
  const storage = history(sequelize, options);
  const run = (name: string, direction: 'up' | 'down') => async () => {
    const migration = loadMigration(path.join(dir, name));
    const step = (context: typeof queryInterface) => migration[direction](context, Sequelize);
    if (!migration.meta?.transactional) return step(queryInterface);
    return runWithRecord(queryInterface, storage, name, direction, step);
  };
  return new Umzug({
    migrations: () =>
      listMigrationFiles(dir).map((name) => ({
        name,
        path: path.join(dir, name),
        up: run(name, 'up'),
        down: run(name, 'down'),
      })),
    context: queryInterface,
    storage,
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
