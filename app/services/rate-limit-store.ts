import type { Sequelize } from 'sequelize';

interface Query {
  text: string;
  values?: unknown[];
}

interface PgConnection {
  query(query: Query): Promise<unknown>;
}

interface ConnectionManager {
  getConnection(options?: object): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
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
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager })
    .connectionManager;
  return {
    async query(query: Query) {
      const connection = await manager.getConnection({ type: 'write' });
      try {
        return await connection.query({ text: query.text, values: query.values ?? [] });
      } finally {
        await manager.releaseConnection(connection);
      }
    },
  };
}
