import { QueryTypes, type Sequelize } from 'sequelize';

/** The shape of the `public` schema, as sorted lines of text. */
export interface SchemaFingerprint {
  columns: string[];
  constraints: string[];
  indexes: string[];
  comments: string[];
}

/** Per table of `public`: row count and an md5 over its rows in a fixed order. */
export type DataFingerprint = Record<string, string>;

async function lines(sequelize: Sequelize, sql: string): Promise<string[]> {
  const rows = await sequelize.query<{ line: string }>(sql, { type: QueryTypes.SELECT });
  return rows.map((r) => r.line);
}

/**
 * Columns (type, nullability, default), constraints (definition and
 * validated flag), indexes (definition and validity) and comments of the
 * `public` schema. Anything outside `public` (the audit archive) is not the
 * app's schema and is left out on purpose.
 */
export async function schemaFingerprint(sequelize: Sequelize): Promise<SchemaFingerprint> {
  return {
    columns: await lines(
      sequelize,
      `SELECT concat_ws(' | ', table_name, column_name, data_type, character_maximum_length,
                        is_nullable, column_default) AS line
         FROM information_schema.columns WHERE table_schema = 'public'
        ORDER BY table_name, column_name`,
    ),
    constraints: await lines(
      sequelize,
      `SELECT concat_ws(' | ', conrelid::regclass::text, conname, pg_get_constraintdef(oid),
                        'validated=' || convalidated) AS line
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace
        ORDER BY 1`,
    ),
    indexes: await lines(
      sequelize,
      `SELECT concat_ws(' | ', pg_get_indexdef(i.indexrelid), 'valid=' || i.indisvalid) AS line
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE c.relnamespace = 'public'::regnamespace
        ORDER BY 1`,
    ),
    comments: await lines(
      sequelize,
      `SELECT concat_ws(' | ', c.relname, a.attname, d.description) AS line
         FROM pg_description d
         JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid AND d.objsubid > 0
        WHERE c.relnamespace = 'public'::regnamespace
        ORDER BY 1`,
    ),
  };
}

/** Row count and md5 of every `public` table's rows, each row as text, in text order. */
export async function dataFingerprint(sequelize: Sequelize): Promise<DataFingerprint> {
  const tables = await lines(
    sequelize,
    `SELECT tablename AS line FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
  );
  const result: DataFingerprint = {};
  for (const table of tables) {
    const [row] = await sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') AS line
         FROM "${table}" t`,
      { type: QueryTypes.SELECT },
    );
    result[table] = row!.line;
  }
  return result;
}

/** Schema and data fingerprints together. */
export async function fingerprint(sequelize: Sequelize) {
  return { schema: await schemaFingerprint(sequelize), data: await dataFingerprint(sequelize) };
}

/**
 * Every table's rows in `schemas` (default `public`), minus the columns whose
 * default draws from a sequence. A failed attempt consumes sequence values (PostgreSQL never gives
 * them back), so a re-run may number its new rows differently from a clean
 * run; everything else must be identical.
 */
export async function dataWithoutDrawnIds(
  sequelize: Sequelize,
  schemas: readonly string[] = ['public'],
): Promise<Record<string, string>> {
  const rows = await sequelize.query<{ table: string; drawn: string[] }>(
    `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS table,
            coalesce(array_agg(a.attname::text) FILTER (
              WHERE pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%'), '{}') AS drawn
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
      WHERE n.nspname IN (:schemas) AND c.relkind = 'r'
      GROUP BY n.nspname, c.relname ORDER BY 1`,
    { type: QueryTypes.SELECT, replacements: { schemas } },
  );
  const result: Record<string, string> = {};
  for (const { table, drawn } of rows) {
    const [row] = await sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(r, E'\\n' ORDER BY r)), '-') AS line
         FROM (SELECT (to_jsonb(t) - :drawn::text[])::text AS r FROM ${table} t) s`,
      { type: QueryTypes.SELECT, replacements: { drawn: `{${drawn.join(',')}}` } },
    );
    result[table] = row!.line;
  }
  return result;
}
