// Every use of Sequelize's internals, in one place: what is not its public
// API (the query generator, the connection manager, a transaction's parent,
// an instance's previous values, where a model keeps its hooks, that the
// query interface's methods all query through `this.sequelize`) or replaces
// a method of an instance in place. An upgrade can change any of these
// without a word; test/unit/sequelize-internals.test.ts checks each one
// against the installed Sequelize and names what changed. A replacement
// finds what it replaces or throws, so a change stops the app at start-up
// instead of silently skipping the history settings.
import type { Model, ModelStatic, QueryInterface, Sequelize, Transaction } from 'sequelize';

/** The Sequelize release line (major.minor) this module was checked against. */
export const CHECKED_SEQUELIZE = '6.37';

/** Options as Sequelize hands them to its query generator and `query`. */
export type InternalOptions = Record<string | symbol, unknown>;

type Generate = (...args: unknown[]) => unknown;

/** The query generator's methods this module replaces, and where their options are. */
export const GENERATOR_METHODS = {
  // startTransactionQuery(transaction)
  startTransactionQuery: { arity: 1 },
  // insertQuery(table, valueHash, modelAttributes, options)
  insertQuery: { arity: 4, optionsAt: 3 },
  // updateQuery(tableName, attrValueHash, where, options, attributes)
  updateQuery: { arity: 5, optionsAt: 3 },
} as const;

/** The dialect's query generator (`queryInterface.queryGenerator`, not in the v6 types). */
export function queryGenerator(sequelize: Sequelize): Record<string, Generate> {
  const generator = (sequelize.getQueryInterface() as unknown as { queryGenerator?: unknown })
    .queryGenerator;
  if (typeof generator !== 'object' || generator === null) {
    throw new Error('Sequelize internals changed: queryInterface.queryGenerator is gone');
  }
  return generator as Record<string, Generate>;
}

function generatorMethod(
  sequelize: Sequelize,
  name: keyof typeof GENERATOR_METHODS,
): { generator: Record<string, Generate>; original: Generate } {
  const generator = queryGenerator(sequelize);
  const method = generator[name];
  if (typeof method !== 'function') {
    throw new Error(`Sequelize internals changed: queryGenerator.${name} is not a function`);
  }
  return { generator, original: method.bind(generator) };
}

/**
 * Makes `sequelize` send `extend(sql, transaction)` instead of the
 * START TRANSACTION (or SAVEPOINT) statement of each transaction it opens.
 */
export function extendStartTransaction(
  sequelize: Sequelize,
  extend: (sql: string, transaction: Transaction) => string,
): void {
  const { generator, original } = generatorMethod(sequelize, 'startTransactionQuery');
  generator.startTransactionQuery = (transaction: unknown) =>
    extend(original(transaction) as string, transaction as Transaction);
}

/**
 * Makes the INSERT and UPDATE statements whose options satisfy `inline` carry
 * their values escaped in the SQL instead of as bind parameters (the
 * generator's `bindParam: false`, as Sequelize does for bulk statements).
 */
export function inlineWriteValues(
  sequelize: Sequelize,
  inline: (options: InternalOptions) => boolean,
): void {
  for (const name of ['insertQuery', 'updateQuery'] as const) {
    const { generator, original } = generatorMethod(sequelize, name);
    const { optionsAt } = GENERATOR_METHODS[name];
    generator[name] = (...args: unknown[]) => {
      const options = args[optionsAt] as InternalOptions | undefined;
      if (options && inline(options)) options.bindParam = false;
      return original(...args);
    };
  }
}

/**
 * Replaces `sequelize.query` so that a query whose options give a prefix is
 * sent as `prefix sql`, one simple-protocol query. Such a query must carry no
 * bind parameters (a simple query takes none): it throws if it does.
 */
export function prefixQueries(
  sequelize: Sequelize,
  prefixOf: (options: InternalOptions | undefined) => string | undefined,
): void {
  aroundQuery(sequelize, (sql, options, query) => {
    const prefix = prefixOf(options);
    if (prefix === undefined) return query(sql, options);
    const statement = typeof sql === 'string' ? sql : (sql as { query: string; bind?: unknown });
    if (typeof statement !== 'string' && statement.bind !== undefined) {
      throw new Error('a query sent with a prefix must not use bind parameters');
    }
    const text = typeof statement === 'string' ? statement : statement.query;
    return query(`${prefix} ${text}`, options);
  });
}

/** `sequelize.query` as it was before `around` replaced it. */
export type Query = (sql: unknown, options?: InternalOptions) => unknown;

/** Replaces `sequelize.query` in place by `around`, which is handed the original. */
export function aroundQuery(
  sequelize: Sequelize,
  around: (sql: unknown, options: InternalOptions | undefined, query: Query) => unknown,
): void {
  if (typeof sequelize.query !== 'function') {
    throw new Error('Sequelize internals changed: sequelize.query is not a function');
  }
  const query = sequelize.query.bind(sequelize) as Query;
  (sequelize as unknown as { query: Query }).query = (sql, options) => around(sql, options, query);
}

/**
 * A view of `queryInterface` whose methods run through `sequelize` (a view of
 * the real instance, say) instead of its own: they all reach the database by
 * `this.sequelize.query`.
 */
export function queryInterfaceOver(
  queryInterface: QueryInterface,
  sequelize: Sequelize,
): QueryInterface {
  const view = Object.create(queryInterface) as QueryInterface;
  Object.defineProperty(view, 'sequelize', { value: sequelize });
  return view;
}

/** The transaction a savepoint is nested in; undefined for a top-level transaction. */
export function parentTransaction(transaction: Transaction): Transaction | undefined {
  return (transaction as unknown as { parent?: Transaction }).parent;
}

/** The values an instance had when it was loaded or last saved (`_previousDataValues`). */
export function previousValues(instance: Model): Record<string, unknown> {
  return (instance as unknown as { _previousDataValues: Record<string, unknown> })
    ._previousDataValues;
}

/** Where a model keeps its hooks, by type (`Model.options.hooks`, not in the v6 types). */
export function modelHooks(model: ModelStatic<Model>): Record<string, unknown[]> {
  return (model as unknown as { options: { hooks: Record<string, unknown[]> } }).options.hooks;
}

/** A connection of Sequelize's pool: a pg client. */
export interface PooledConnection {
  query(query: { text: string; values: unknown[] }): Promise<unknown>;
}

interface ConnectionManager {
  getConnection(options?: object): Promise<PooledConnection>;
  releaseConnection(connection: PooledConnection): Promise<void>;
}

/** Borrows a write connection of Sequelize's own pool for `use`, then gives it back. */
export async function withPooledConnection<T>(
  sequelize: Sequelize,
  use: (connection: PooledConnection) => Promise<T>,
): Promise<T> {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager })
    .connectionManager;
  const connection = await manager.getConnection({ type: 'write' });
  try {
    return await use(connection);
  } finally {
    await manager.releaseConnection(connection);
  }
}
