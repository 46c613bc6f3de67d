import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = { transactional: true, table: 'locations', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'locations',
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(100), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        campaign_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'campaigns', key: 'id' },
          onDelete: 'CASCADE',
        },
        created_by: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'SET NULL',
        },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('locations', ['campaign_id'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  await refuseToLoseRows(queryInterface, 'locations');
  await queryInterface.dropTable('locations');
}
