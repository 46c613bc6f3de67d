import fs from 'node:fs';
import path from 'node:path';
import type { QueryInterface } from 'sequelize';
import type { Sequelize } from 'sequelize';

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations');
export const SEEDERS_DIR = path.resolve(__dirname, '..', '..', 'seeders');

/** The sequelize-cli shape of a migration or seeder file, which both runners call. */
export interface MigrationModule {
  up(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<unknown>;
  down?(queryInterface: QueryInterface, sequelize: typeof Sequelize): Promise<unknown>;
}

/** A migration has no way back; its `down` refuses rather than pretend. */
export class IrreversibleMigrationError extends Error {
  override readonly name = 'IrreversibleMigrationError';
}

// The same pattern as sequelize-cli, so both runners see the same files.
const FILE_PATTERN = /^(?!.*\.d\.ts$).*\.(cjs|js|cts|ts)$/;

/** File names in a folder, in the order both runners apply them. */
export function listMigrationFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => FILE_PATTERN.test(name))
    .sort();
}

/** Loads a migration file; a missing `down` becomes one that throws. */
export function loadMigration(file: string): Required<MigrationModule> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(file) as Partial<MigrationModule> & { default?: MigrationModule };
  const migration = loaded.default ?? loaded;
  const name = path.basename(file);
  if (typeof migration.up !== 'function') {
    throw new Error(`${name} exports no up() function`);
  }
  return {
    up: migration.up.bind(migration),
    down:
      migration.down?.bind(migration) ??
      (() => {
        throw new IrreversibleMigrationError(`${name} has no down step and cannot be reverted`);
      }),
  };
}
