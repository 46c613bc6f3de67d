import { Sequelize, type Options } from 'sequelize';

/**
 * A Sequelize instance on PostgreSQL with the project's conventions (snake_case columns).
 *
 * The app serves through a transaction pooler (PgBouncer pool_mode=transaction),
 * where consecutive transactions of one connection may run on different server
 * sessions, so nothing at runtime relies on session state: no named prepared
 * statements (Sequelize sends unnamed ones), no LISTEN, no session advisory
 * lock (only the migrator's, on its own direct session), and no SET without
 * LOCAL. The two SETs Sequelize itself sends on connect are harmless there:
 * TimeZone is one of the parameters PgBouncer tracks and re-applies per server
 * connection (and every timestamp the app sends or reads carries its offset),
 * and client_min_messages only filters notices. The HTTP suites run through a
 * real PgBouncer to keep it so.
 */
export function createSequelize(url: string, options: Options = {}): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    ...options,
    pool: { max: 10, min: 0, idle: 10_000, ...options.pool },
    define: { underscored: true, ...options.define },
  });
}
