import type { Sequelize } from 'sequelize';
import { withAdvisoryLock, type HeldLock } from './advisory-lock';
import { withMigrationLog } from './migration-lib/migration-log';
import { readHistory, selectMigrations, type MigrationRequest } from './migration-selection';
import {
  createMigrator,
  ensureMigrationHistory,
  type Migrator,
  type MigratorOptions,
} from './migrator';

export { resolveMigrationName, UnknownMigrationError } from './migration-selection';

export interface RunOptions extends MigratorOptions {
  /** Where progress lines go; default nowhere (a migration step's own lines: stderr). */
  log?: (line: string) => void;
  lockTimeoutMs?: number;
}

export interface MigrationStatus {
  executed: string[];
  pending: string[];
}

/**
 * Logs each step, and refuses to start one once the lock is lost (the one
 * running may finish; the next does not begin, and is not logged as begun).
 */
function track(migrator: Migrator, lock: HeldLock, log: (line: string) => void = () => {}): void {
  const started = new Map<string, number>();
  migrator.on('migrating', ({ name }) => {
    lock.assertHeld();
    started.set(name, Date.now());
    log(`== ${name}: migrating`);
  });
  migrator.on('migrated', ({ name }) => log(`== ${name}: migrated (${elapsed(started, name)})`));
  migrator.on('reverting', ({ name }) => {
    lock.assertHeld();
    started.set(name, Date.now());
    log(`== ${name}: reverting`);
  });
  migrator.on('reverted', ({ name }) => log(`== ${name}: reverted (${elapsed(started, name)})`));
}

function elapsed(started: Map<string, number>, name: string): string {
  const ms = Date.now() - (started.get(name) ?? Date.now());
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function lockOptions(options: RunOptions) {
  return {
    timeoutMs: options.lockTimeoutMs,
    onWait: () => options.log?.('Another migrator holds the migration lock; waiting for it...'),
  };
}

/** Applied and pending migrations, read from `SequelizeMeta`. */
export async function migrationStatus(
  sequelize: Sequelize,
  options: MigratorOptions = {},
): Promise<MigrationStatus> {
  return readHistory(createMigrator(sequelize, options));
}

/**
 * Runs the migrations a request selects, under the migration lock: the
 * selection is read after the lock is taken, so concurrent runners apply
 * each migration once. Returns the names run.
 */
async function run(
  sequelize: Sequelize,
  databaseUrl: string,
  request: MigrationRequest,
  options: RunOptions,
): Promise<string[]> {
  return withAdvisoryLock(
    databaseUrl,
    async (lock) => {
      await ensureMigrationHistory(sequelize, options);
      const migrator = createMigrator(sequelize, options);
      const { names, executed } = await selectMigrations(migrator, request);
      if (request.direction === 'up' && request.to !== undefined && names.length === 0) {
        if (executed.length > 0) options.log?.(`${request.to} is already applied; nothing to do.`);
      }
      if (names.length === 0) return [];
      track(migrator, lock, options.log);
      const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
      const ran = await withMigrationLog(log, () =>
        request.direction === 'up'
          ? migrator.up({ migrations: names })
          : migrator.down({ migrations: names }),
      );
      return ran.map((m) => m.name);
    },
    lockOptions(options),
  );
}

/** Applies pending migrations (up to and including `to`) under the migration lock. */
export function migrateUp(
  sequelize: Sequelize,
  databaseUrl: string,
  options: RunOptions & { to?: string } = {},
): Promise<string[]> {
  return run(sequelize, databaseUrl, { direction: 'up', to: options.to }, options);
}

/**
 * Reverts migrations under the migration lock: with `to`, every migration
 * applied after it and `to` itself (inclusive, as sequelize-cli's
 * `undo:all --to`); with `step`, the last N; with neither, the last one.
 */
export function migrateDown(
  sequelize: Sequelize,
  databaseUrl: string,
  options: RunOptions & { to?: string; step?: number } = {},
): Promise<string[]> {
  return run(
    sequelize,
    databaseUrl,
    { direction: 'down', to: options.to, step: options.step },
    options,
  );
}
