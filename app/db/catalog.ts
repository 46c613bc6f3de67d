import type pg from 'pg';

/** Existing `table.column` pairs in the connection's current schema, as "table.column" strings. */
export async function existingColumns(client: pg.ClientBase): Promise<Set<string>> {
  const { rows } = await client.query<{ c: string }>(
    `SELECT table_name || '.' || column_name AS c FROM information_schema.columns
      WHERE table_schema = current_schema()`,
  );
  return new Set(rows.map((row) => row.c));
}
