import pg from 'pg';
import type { QueryInterface } from 'sequelize';
import { MIGRATION_APPLICATION_NAME } from './recorded-fills';

/**
 * Opens a dedicated pg connection to the migration's database, runs `fn`,
 * closes it. Online DDL needs one connection it fully controls: session
 * settings (lock_timeout) must not leak into Sequelize's pool, and
 * CREATE INDEX CONCURRENTLY must run outside any transaction block.
 * Migrations' connections carry one application name, by which the runner
 * records what a migration that fills audit columns writes (recorded-fills.ts).
 */
export async function withMigrationClient<T>(
  queryInterface: QueryInterface,
  fn: (client: pg.Client) => Promise<T>,
  applicationName: string = MIGRATION_APPLICATION_NAME,
): Promise<T> {
  const config = queryInterface.sequelize.config;
  // The same TLS settings as Sequelize's own connections (from the URL or
  // dialectOptions); `options` is public at runtime but missing from v6 types.
  const { dialectOptions } = (
    queryInterface.sequelize as unknown as {
      options: { dialectOptions?: { ssl?: pg.ClientConfig['ssl'] } };
    }
  ).options;
  const client = new pg.Client({
    host: config.host,
    port: config.port === undefined ? undefined : Number(config.port),
    user: config.username,
    password: config.password ?? undefined,
    database: config.database,
    ssl: dialectOptions?.ssl,
    application_name: applicationName,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
