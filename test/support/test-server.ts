import pg from 'pg';

/**
 * The PostgreSQL server the suite runs on: its URL without a database name.
 * Set by global setup; read lazily so that test files can be loaded first.
 */
export function serverUrl(): string {
  const url = process.env.GMA_TEST_SERVER_URL;
  if (!url) throw new Error('GMA_TEST_SERVER_URL is not set: run the tests with `npm test`');
  return url;
}

/** URL of one database on the test server. */
export function databaseUrl(database: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * URL of one database through the suite's PgBouncer (transaction pooling).
 * Throws, saying how to install it, when PgBouncer could not start.
 */
export function pooledDatabaseUrl(database: string): string {
  const server = process.env.GMA_TEST_PGBOUNCER_URL;
  if (!server) {
    throw new Error(
      process.env.GMA_TEST_PGBOUNCER_ERROR ?? 'PgBouncer was not started: run the tests with mocha',
    );
  }
  const url = new URL(server);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `fn` with a client on the server's maintenance database. */
export async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl(adminDatabase()) });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export function adminDatabase(): string {
  return process.env.GMA_TEST_ADMIN_DATABASE ?? 'postgres';
}

/** Template databases that tests clone: empty, or migrated to the newest migration. */
export const TEMPLATES = {
  empty: 'gma_template_empty',
  latest: 'gma_template_latest',
} as const;
export type TemplateName = keyof typeof TEMPLATES;
