// A transactional migration and its SequelizeMeta record in one transaction,
// so a crash between the two is impossible (as Flyway and Rails do it).
// Released migration files cannot change, so the runner does it for them: it
// hands `up`/`down` a queryInterface whose `sequelize` runs every query in
// the runner's transaction, and turns the file's own `sequelize.transaction()`
// calls into savepoints of it.
import type { QueryInterface, Sequelize, Transaction, TransactionOptions } from 'sequelize';
import { SequelizeStorage } from 'umzug';
import { queryInterfaceOver } from './sequelize-internals';

type QueryOptions = { transaction?: Transaction | null } & Record<string, unknown>;
type TransactionCallback<T> = (transaction: Transaction) => PromiseLike<T>;

/**
 * A view of `sequelize` bound to `transaction`: `query()` without a
 * transaction runs in it, and `transaction()` opens a savepoint of it. Every
 * other property is the real instance's (config, dialect, models).
 */
export function boundToTransaction(sequelize: Sequelize, transaction: Transaction): Sequelize {
  const bound = Object.create(sequelize) as Sequelize;
  const query = (sql: unknown, options: QueryOptions = {}) =>
    (sequelize.query as (sql: unknown, options: QueryOptions) => Promise<unknown>)(sql, {
      ...options,
      transaction: options.transaction ?? transaction,
    });
  const savepoint = <T>(
    optionsOrCallback?: TransactionOptions | TransactionCallback<T>,
    callback?: TransactionCallback<T>,
  ) => {
    const [options, fn] =
      typeof optionsOrCallback === 'function'
        ? [{}, optionsOrCallback]
        : [optionsOrCallback ?? {}, callback];
    const nested = { ...options, transaction: options.transaction ?? transaction };
    return fn ? sequelize.transaction(nested, fn) : sequelize.transaction(nested);
  };
  Object.defineProperties(bound, {
    query: { value: query },
    transaction: { value: savepoint },
  });
  return bound;
}

/** `queryInterface` whose methods (which all query through `this.sequelize`) run in `transaction`. */
export function queryInterfaceIn(
  queryInterface: QueryInterface,
  transaction: Transaction,
): QueryInterface {
  return queryInterfaceOver(
    queryInterface,
    boundToTransaction(queryInterface.sequelize, transaction),
  );
}

/**
 * SequelizeStorage that can write a migration's record inside the
 * migration's own transaction; Umzug's later log or unlog call for that
 * migration is then skipped, since the record has already committed with it.
 */
export class TransactionalStorage extends SequelizeStorage {
  private readonly recorded = new Set<string>();

  /** Writes (`up`) or deletes (`down`) the record of `name` in `transaction`. */
  async record(name: string, direction: 'up' | 'down', transaction: Transaction): Promise<void> {
    const model = this.model as unknown as {
      create(values: object, options: object): Promise<unknown>;
      destroy(options: object): Promise<unknown>;
    };
    if (direction === 'up') await model.create({ [this.columnName]: name }, { transaction });
    else await model.destroy({ where: { [this.columnName]: name }, transaction });
  }

  /** Once the transaction has committed: Umzug's own log or unlog of `name` is then skipped. */
  committed(name: string, direction: 'up' | 'down'): void {
    this.recorded.add(`${direction}:${name}`);
  }

  override async logMigration(params: { name: string }): Promise<void> {
    if (this.recorded.delete(`up:${params.name}`)) return;
    await super.logMigration(params);
  }

  override async unlogMigration(params: { name: string }): Promise<void> {
    if (this.recorded.delete(`down:${params.name}`)) return;
    await super.unlogMigration(params);
  }
}

/**
 * Runs `step` (a migration's up or down) in one transaction with its record
 * in `storage`, committing both together or neither.
 */
export async function runWithRecord(
  queryInterface: QueryInterface,
  storage: TransactionalStorage,
  name: string,
  direction: 'up' | 'down',
  step: (queryInterface: QueryInterface) => Promise<unknown>,
): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await step(queryInterfaceIn(queryInterface, transaction));
    await storage.record(name, direction, transaction);
  });
  storage.committed(name, direction);
}
