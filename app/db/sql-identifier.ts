/** Quotes an SQL identifier (table, column, index, schema name) for SQL text. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
