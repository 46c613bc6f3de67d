import type { QueryInterface } from 'sequelize';
import type { MigrationMeta } from '../migration-meta';

/**
 * A migration built from a spec by a step of this library: what a migration
 * file exports (`export const { meta, up, down } = someMigration(spec)`).
 */
export interface BuiltMigration {
  readonly meta: MigrationMeta;
  up(queryInterface: QueryInterface): Promise<void>;
  down(queryInterface: QueryInterface): Promise<void>;
}
