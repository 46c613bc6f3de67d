import pg from 'pg';

/**
 * A pg client whose text output does not depend on the server's or the
 * user's settings (time zone, date style, float digits), so that COPY output
 * of the same rows hashes the same everywhere.
 */
export async function openStableClient(url: string, applicationName: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    await client.query(
      "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; " +
        'SET extra_float_digits = 3; SET bytea_output = hex',
    );
  } catch (error) {
    await client.end();
    throw error;
  }
  return client;
}

/** Applied migrations from SequelizeMeta, in name order; empty when the table is missing. */
export async function appliedMigrations(client: pg.ClientBase): Promise<string[]> {
  const { rows: exists } = await client.query<{ found: boolean }>(
    `SELECT to_regclass('"SequelizeMeta"') IS NOT NULL AS found`,
  );
  if (!exists[0]?.found) return [];
  const { rows } = await client.query<{ name: string }>(
    'SELECT name FROM "SequelizeMeta" ORDER BY name',
  );
  return rows.map((row) => row.name);
}
