import { QueryTypes, type Sequelize } from 'sequelize';
import { SequelizeStorage } from 'umzug';

/**
 * The history table both runners share (SequelizeMeta, as sequelize-cli
 * names it), through Umzug's storage contract. Reading a database that has
 * no history yet answers "nothing applied" without creating the table, so
 * that read-only commands (plan, verify, status) never write; the first
 * migration creates it.
 */
export class MigrationHistory extends SequelizeStorage {
  private readonly sequelizeInstance: Sequelize;
  private readonly table: string;

  constructor(sequelize: Sequelize, tableName: string) {
    super({ sequelize, tableName });
    this.sequelizeInstance = sequelize;
    this.table = tableName;
  }

  override async executed(): Promise<string[]> {
    const [found] = await this.sequelizeInstance.query<{ exists: boolean }>(
      'SELECT to_regclass(:table) IS NOT NULL AS exists',
      { replacements: { table: `"${this.table}"` }, type: QueryTypes.SELECT },
    );
    return found?.exists ? super.executed() : [];
  }
}
