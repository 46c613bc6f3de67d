import pg from 'pg';
import type { QueryInterface } from 'sequelize';

/**
 * Opens a dedicated pg connection to the migration's database, runs `fn`,
 * closes it. Online DDL needs one connection it fully controls: session
 * settings (lock_timeout) must not leak into Sequelize's pool, and
 * CREATE INDEX CONCURRENTLY must run outside any transaction block.
 */
export async function withMigrationClient<T>(
  queryInterface: QueryInterface,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const config = queryInterface.sequelize.config;
  const client = new pg.Client({
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    user: config.username,
    password: config.password ?? undefined,
    database: config.database,
    application_name: 'gma-audit-migration',
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Quotes an SQL identifier (table, column, index, schema name). */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
