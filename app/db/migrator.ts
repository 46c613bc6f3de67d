import path from 'node:path';
import type { Sequelize as SequelizeInstance } from 'sequelize';
import { Sequelize } from 'sequelize';
import { Umzug } from 'umzug';
import { MigrationHistory } from './migration-history';
import { MIGRATIONS_DIR, SEEDERS_DIR, listMigrationFiles, loadMigration } from './migration-files';
import { runWithRecord } from './transactional-step';
import { withMigrationClient } from './migration-lib/migration-client';
import {
  ensureFillRecord,
  recordFillsAround,
  RECORDER_APPLICATION_NAME,
} from './migration-lib/recorded-fills';
import type { MigrationMeta } from './migration-meta';

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
    const apply = () =>
      migration.meta?.transactional
        ? runWithRecord(queryInterface, storage, name, direction, step)
        : step(queryInterface);
    if (direction === 'up' && migration.meta?.fills) {
      const target = fillTarget(name, migration.meta);
      return withMigrationClient(
        queryInterface,
        (client) => recordFillsAround(client, target, apply),
        RECORDER_APPLICATION_NAME,
      );
    }
    return apply();
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

/** Which migration a fill record belongs to: its table and audit step (how its down finds it). */
function fillTarget(name: string, meta: MigrationMeta) {
  if (meta.transactional || meta.audit === undefined) {
    throw new Error(
      `${name} declares fills but ${meta.transactional ? 'is one transaction' : 'no audit step'}: ` +
        'only a non-transactional audit step that fills through its own connection can be recorded',
    );
  }
  return { name, table: meta.table, step: meta.audit };
}

function history(sequelize: SequelizeInstance, options: MigratorOptions): MigrationHistory {
  return new MigrationHistory(sequelize, options.tableName ?? 'SequelizeMeta');
}

/**
 * Creates the runner's history table if it is missing (the runner does,
 * before running anything), and for migrations the record of their fills.
 */
export async function ensureMigrationHistory(
  sequelize: SequelizeInstance,
  options: MigratorOptions = {},
): Promise<void> {
  await history(sequelize, options).ensureTable();
  if (options.tableName !== SEEDERS_HISTORY) {
    await withMigrationClient(
      sequelize.getQueryInterface(),
      ensureFillRecord,
      RECORDER_APPLICATION_NAME,
    );
  }
}

const SEEDERS_HISTORY = 'SequelizeData';

/** The seeders' runner: `seeders/`, history in `SequelizeData` like `db:seed:all`. */
export function createSeeder(sequelize: SequelizeInstance): Migrator {
  return createMigrator(sequelize, { dir: SEEDERS_DIR, tableName: SEEDERS_HISTORY });
}
