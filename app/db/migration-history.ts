import { QueryTypes, type Sequelize } from 'sequelize';
import { TransactionalStorage } from './transactional-step';

/**
 * The history table both runners share (SequelizeMeta, as sequelize-cli
 * names it), through Umzug's storage contract. Reading a database that has
 * no history yet answers "nothing applied" without creating the table, so
 * that read-only commands (plan, verify, status) never write; the runner
 * creates it, under the migration lock, before it runs anything. A
 * transactional migration's record is written in its own transaction
 * (TransactionalStorage).
 */
export class MigrationHistory extends TransactionalStorage {
  private readonly db: Sequelize;

  constructor(sequelize: Sequelize, tableName: string) {
    // The model is named after its table: Umzug reuses a model already
    // defined under the same name, so with its default name ('SequelizeMeta')
    // the seeders' history, opened on an instance that had run migrations,
    // would read and write the migrations' table instead.
    super({ sequelize, tableName, modelName: tableName });
    this.db = sequelize;
  }

  override async executed(): Promise<string[]> {
    const [found] = await this.db.query<{ exists: boolean }>(
      'SELECT to_regclass(:table) IS NOT NULL AS exists',
      { replacements: { table: `"${this.model.tableName}"` }, type: QueryTypes.SELECT },
    );
    return found?.exists ? super.executed() : [];
  }

  /** Creates the history table if it is missing. */
  async ensureTable(): Promise<void> {
    await this.syncModel();
  }
}
