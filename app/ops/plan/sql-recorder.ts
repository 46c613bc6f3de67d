import pg from 'pg';

/** A statement a migration sent, with its parameters if any. */
export interface RecordedStatement {
  sql: string;
  params?: unknown[];
}

// Reads (introspection, state checks, counts) and the runners' bookkeeping
// are not what an operator reviews; writes and DDL are.
const READ_ONLY = /^\s*(SELECT|SHOW|RESET|SET\s+(SESSION\s+)?synchronous_commit)\b/i;
const WRITING_WITH = /^\s*WITH\b[\s\S]*\b(UPDATE|INSERT|DELETE)\b/i;

function isReviewable(sql: string): boolean {
  if (sql.includes('"SequelizeMeta"') || sql.includes('"SequelizeData"')) return false;
  if (/^\s*WITH\b/i.test(sql)) return WRITING_WITH.test(sql);
  return !READ_ONLY.test(sql);
}

function textOf(query: unknown): { sql?: string; params?: unknown[] } {
  if (typeof query === 'string') return { sql: query };
  if (query && typeof query === 'object' && 'text' in query) {
    const q = query as { text?: unknown; values?: unknown[] };
    return typeof q.text === 'string' ? { sql: q.text, params: q.values } : {};
  }
  return {};
}

/**
 * Records the statements that any pg client connected to `database` sends,
 * by wrapping pg.Client#query while `fn` runs. Migration code opens its own
 * clients (Sequelize's pool and dedicated ones), and all of them are pg
 * clients; filtering on the database keeps other connections out.
 */
export async function recordStatements<T>(
  database: string,
  sink: (statement: RecordedStatement) => void,
  fn: () => Promise<T>,
): Promise<T> {
  return recordQueries(
    database,
    (statement) => {
      if (isReviewable(statement.sql)) sink(statement);
    },
    fn,
  );
}

/** Every statement sent to `database` while `fn` runs, reads included, unfiltered. */
export async function recordQueries<T>(
  database: string,
  sink: (statement: RecordedStatement) => void,
  fn: () => Promise<T>,
): Promise<T> {
  const prototype = pg.Client.prototype as unknown as {
    query: (...args: unknown[]) => unknown;
  };
  const original = prototype.query;
  prototype.query = function recordingQuery(this: pg.Client, ...args: unknown[]) {
    if (this.database === database) {
      const { sql, params: fromConfig } = textOf(args[0]);
      const params = Array.isArray(args[1]) ? (args[1] as unknown[]) : fromConfig;
      if (sql !== undefined) {
        sink(params && params.length ? { sql: sql.trim(), params } : { sql: sql.trim() });
      }
    }
    return original.apply(this, args);
  };
  try {
    return await fn();
  } finally {
    prototype.query = original;
  }
}
