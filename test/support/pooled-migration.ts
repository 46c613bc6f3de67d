import pg from 'pg';

// Shared with the drill.
export { heldAdvisoryLocks } from '../../app/dev/advisory-locks';

/** Tables in the public schema of this URL's database. */
export async function publicTables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    return rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}
