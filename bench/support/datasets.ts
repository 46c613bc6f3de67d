import { firstAuditMigration } from '../../app/audit/audit-spec';
import { listMigrationFiles, MIGRATIONS_DIR } from '../../app/db/migration-files';
import { migrateUp } from '../../app/db/migration-runner';
import { createSequelize } from '../../app/db/sequelize';
import { fillPreAuditData } from '../../app/dev/pre-audit-data';
import type { BenchServer } from './bench-server';

const ALL = listMigrationFiles(MIGRATIONS_DIR);
/** The last migration of the schema before the audit fields. */
export const LAST_PRE_AUDIT = ALL[ALL.indexOf(firstAuditMigration()) - 1]!;

/** The migration applied just before `name`. */
export function migrationBefore(name: string): string {
  return ALL[ALL.indexOf(name) - 1]!;
}

/** Migrates `database` to `to` (or all); `log` gets the runner's lines (its steps). */
export async function migrate(
  server: BenchServer,
  database: string,
  to?: string,
  log?: (line: string) => void,
): Promise<void> {
  const url = server.url(database);
  const sequelize = createSequelize(url);
  try {
    await migrateUp(sequelize, url, {
      ...(to === undefined ? {} : { to }),
      ...(log ? { log } : {}),
    });
  } finally {
    await sequelize.close();
  }
}

/**
 * Creates `name` at the pre-audit schema holding `rows` characters, items
 * and locations (the generator the tests use too), analysed and checkpointed.
 */
export async function createPreAuditDatabase(
  server: BenchServer,
  name: string,
  rows: number,
): Promise<void> {
  await server.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.admin(`CREATE DATABASE ${name}`);
  await migrate(server, name, LAST_PRE_AUDIT);
  const sequelize = createSequelize(server.url(name));
  try {
    await fillPreAuditData(sequelize, { rows });
    await sequelize.query('VACUUM ANALYZE');
    await sequelize.query('CHECKPOINT');
  } finally {
    await sequelize.close();
  }
}

/** A copy of `template` (which must have no open connections) named `name`. */
export async function cloneDatabase(server: BenchServer, template: string, name: string) {
  await server.admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await server.admin(`CREATE DATABASE ${name} TEMPLATE ${template}`);
}
