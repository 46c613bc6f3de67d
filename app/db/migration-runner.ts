import type { Sequelize } from 'sequelize';
import { withAdvisoryLock, type HeldLock } from './advisory-lock';
import { createMigrator, type Migrator, type MigratorOptions } from './migrator';

/** A `--to` name that is not in the history, or not in the state the command needs. */
export class UnknownMigrationError extends Error {
  override readonly name = 'UnknownMigrationError';
}

export interface RunOptions extends MigratorOptions {
  /** Where progress lines go; default nowhere. */
  log?: (line: string) => void;
  lockTimeoutMs?: number;
}

export interface MigrationStatus {
  executed: string[];
  pending: string[];
}

function stripExtension(name: string): string {
  return name.replace(/\.[cm]?[jt]s$/, '');
}

/**
 * Finds the migration `input` names among `names`: the exact file name, or
 * the file name without its extension. Anything else is an error that says
 * what exists, so a typo never turns into "revert everything".
 */
export function resolveMigrationName(input: string, names: string[], what: string): string {
  const found = names.find((name) => name === input || stripExtension(name) === input);
  if (found) return found;
  const similar = names.filter((name) => name.includes(input)).slice(0, 5);
  const hint = similar.length
    ? ` Did you mean: ${similar.join(', ')}?`
    : names.length
      ? ` ${what} are: ${names.slice(-5).join(', ')}${names.length > 5 ? ' (last 5 shown)' : ''}.`
      : ` There are no ${what.toLowerCase()}.`;
  throw new UnknownMigrationError(
    `No migration named "${input}" among the ${what.toLowerCase()}.${hint}`,
  );
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
  const migrator = createMigrator(sequelize, options);
  // One after the other: on a new database both create SequelizeMeta, and two
  // concurrent CREATE TABLE IF NOT EXISTS can collide.
  const executed = await migrator.executed();
  const pending = await migrator.pending();
  return { executed: executed.map((m) => m.name), pending: pending.map((m) => m.name) };
}

/**
 * Applies pending migrations (up to and including `to`) under the migration
 * lock. The pending list is read after the lock is taken, so concurrent
 * runners apply each migration once. Returns the names applied.
 */
export async function migrateUp(
  sequelize: Sequelize,
  databaseUrl: string,
  options: RunOptions & { to?: string } = {},
): Promise<string[]> {
  return withAdvisoryLock(
    databaseUrl,
    async (lock) => {
      const migrator = createMigrator(sequelize, options);
      track(migrator, lock, options.log);
      if (options.to === undefined) return (await migrator.up()).map((m) => m.name);
      const pending = (await migrator.pending()).map((m) => m.name);
      const executed = (await migrator.executed()).map((m) => m.name);
      if (executed.some((n) => n === options.to || stripExtension(n) === options.to)) {
        options.log?.(`${options.to} is already applied; nothing to do.`);
        return [];
      }
      const to = resolveMigrationName(options.to, pending, 'Pending migrations');
      return (await migrator.up({ to })).map((m) => m.name);
    },
    lockOptions(options),
  );
}

/**
 * Reverts migrations under the migration lock: with `to`, every migration
 * applied after it and `to` itself (inclusive, as sequelize-cli's
 * `undo:all --to`); with `step`, the last N; with neither, the last one.
 */
export async function migrateDown(
  sequelize: Sequelize,
  databaseUrl: string,
  options: RunOptions & { to?: string; step?: number } = {},
): Promise<string[]> {
  return withAdvisoryLock(
    databaseUrl,
    async (lock) => {
      const migrator = createMigrator(sequelize, options);
      track(migrator, lock, options.log);
      if (options.to !== undefined) {
        const executed = (await migrator.executed()).map((m) => m.name);
        const to = resolveMigrationName(options.to, executed, 'Applied migrations');
        return (await migrator.down({ to })).map((m) => m.name);
      }
      return (await migrator.down({ step: options.step ?? 1 })).map((m) => m.name);
    },
    lockOptions(options),
  );
}
