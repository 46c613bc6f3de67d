import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = { transactional: true, table: 'users', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.createTable('users', {
    id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
    username: { type: DataTypes.STRING(150), allowNull: false, unique: true },
    email: { type: DataTypes.STRING(254), allowNull: false, defaultValue: '' },
    password_hash: { type: DataTypes.STRING(255), allowNull: false },
    display_name: { type: DataTypes.STRING(150), allowNull: false, defaultValue: '' },
    is_active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  // The system user is not counted: its own down, which runs first, deletes it.
  await refuseToLoseRows(queryInterface, 'users', { where: "username <> 'system'" });
  await queryInterface.dropTable('users');
}
