import pg from 'pg';

/** Advisory locks held in this URL's database, by anyone (a fresh session's view of pg_locks). */
export async function heldAdvisoryLocks(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_locks
        WHERE locktype = 'advisory' AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
}
