import { Sequelize, type Options } from 'sequelize';

/** A Sequelize instance on PostgreSQL with the project's conventions (snake_case columns). */
export function createSequelize(url: string, options: Options = {}): Sequelize {
  return new Sequelize(url, {
    dialect: 'postgres',
    logging: false,
    ...options,
    pool: { max: 10, min: 0, idle: 10_000, ...options.pool },
    define: { underscored: true, ...options.define },
  });
}
