import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

// Bearer tokens for the HTTP API. Only a SHA-256 of each token is stored, so a
// leaked table does not let anyone log in. Down drops the table (every session
// ends and users log in again; no other data depends on it): refused while it
// holds tokens, unless --discard-data.

export const meta: MigrationMeta = { transactional: true, table: 'auth_tokens', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'auth_tokens',
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        user_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
        },
        token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('auth_tokens', ['user_id'], { transaction });
    await queryInterface.addIndex('auth_tokens', ['expires_at'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  await refuseToLoseRows(queryInterface, 'auth_tokens');
  await queryInterface.dropTable('auth_tokens');
}
