import fs from 'node:fs';
import path from 'node:path';
import type { QueryInterface } from 'sequelize';
import type { Sequelize } from 'sequelize';
import type { MigrationMeta } from './migration-meta';
import { OperatorError } from '../operator-error';
import { COMPILED } from '../build-layout';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');
export const SEEDERS_DIR = path.resolve(__dirname, '..', '..', 'seeders');

/** The sequelize-cli shape of a migration or seeder file, which both runners call. */
export interface MigrationModule {
  up(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<unknown>;
  down?(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<unknown>;
  /** Its properties; seeders have none. */
  meta?: MigrationMeta;
}

/** A loaded migration: its steps, and its properties when it has any (seeders do not). */
export interface LoadedMigration {
  up: Required<MigrationModule>['up'];
  down: Required<MigrationModule>['down'];
  meta: MigrationMeta | undefined;
}

/** A migration has no way back; its `down` refuses rather than pretend. */
export class IrreversibleMigrationError extends OperatorError {
  override readonly name = 'IrreversibleMigrationError';
}

// The same pattern as sequelize-cli, so both runners see the same files.
const FILE_PATTERN = /^(?!.*\.d\.ts$).*\.(cjs|js|cts|ts)$/;

/**
 * File names in a folder, in the order both runners apply them. From the
 * build, a compiled `X.js` is named `X.ts`: both runners record names with
 * their extension in SequelizeMeta, so the build must read and write the
 * names the checkout does (docs/deploy.md, "The build").
 */
export function listMigrationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => FILE_PATTERN.test(name))
    .map((name) => (COMPILED ? name.replace(/\.js$/, '.ts') : name))
    .sort();
}

/** The file to load for a migration's path: from the build, the compiled `.js` of a `.ts` name. */
function onDisk(file: string): string {
  if (!COMPILED || !file.endsWith('.ts') || fs.existsSync(file)) return file;
  return file.replace(/\.ts$/, '.js');
}

/** Loads a migration file; a missing `down` becomes one that throws. */
export function loadMigration(file: string): LoadedMigration {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(onDisk(file)) as Partial<MigrationModule> & { default?: MigrationModule };
  const migration = loaded.default ?? loaded;
  const name = path.basename(file);
  if (typeof migration.up !== 'function') {
    throw new Error(`${name} exports no up() function`);
  }
  return {
    meta: migration.meta,
    up: migration.up.bind(migration),
    down:
      migration.down?.bind(migration) ??
      (() => {
        throw new IrreversibleMigrationError(`${name} has no down step and cannot be reverted`);
      }),
  };
}

/** The properties of a migration in `migrations/`; every one must declare them. */
export function migrationMeta(name: string, dir = MIGRATIONS_DIR): MigrationMeta {
  const { meta } = loadMigration(path.join(dir, name));
  if (!meta) {
    throw new Error(
      `${name} declares no properties: add "export const meta: MigrationMeta = { transactional, table, kind }"`,
    );
  }
  return meta;
}

/** A migration file's name and its declared properties. */
export interface CatalogEntry {
  readonly name: string;
  readonly meta: MigrationMeta;
}

const catalogs = new Map<string, readonly CatalogEntry[]>();

/**
 * Every migration in `dir` with its properties, in the order they apply:
 * the one place lists of migrations (the audit's, the history's, a table's
 * steps) are read from. Loaded once per folder.
 */
export function migrationCatalog(dir = MIGRATIONS_DIR): readonly CatalogEntry[] {
  let catalog = catalogs.get(dir);
  if (!catalog) {
    catalog = Object.freeze(
      listMigrationFiles(dir).map((name) => ({ name, meta: migrationMeta(name, dir) })),
    );
    catalogs.set(dir, catalog);
  }
  return catalog;
}
