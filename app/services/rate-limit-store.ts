import type { Sequelize } from 'sequelize';
import { withPooledConnection } from '../db/sequelize-internals';

interface Query {
  text: string;
  values?: unknown[];
}

/**
 * The `storeClient` given to rate-limiter-flexible's PostgreSQL store: each
 * query borrows a connection of Sequelize's pool for one statement. The
 * library names its prepared statements, which a pooler in transaction mode
 * (PgBouncer) cannot keep track of across server connections; the name is
 * dropped here, so every statement is an unnamed, self-contained one. No
 * session setting, no LISTEN.
 */
export function sessionFreeStore(sequelize: Sequelize): { query(query: Query): Promise<unknown> } {
  return {
    query: (query: Query) =>
      withPooledConnection(sequelize, (connection) =>
        connection.query({ text: query.text, values: query.values ?? [] }),
      ),
  };
}
