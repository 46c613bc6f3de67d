import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = { transactional: true, table: 'campaigns', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'campaigns',
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        name: { type: DataTypes.STRING(200), allowNull: false },
        description: { type: DataTypes.TEXT, allowNull: false, defaultValue: '' },
        // A campaign outlives its owner's account: the owner becomes NULL.
        owner_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'SET NULL',
        },
        game_system: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('campaigns', ['owner_id'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  await refuseToLoseRows(queryInterface, 'campaigns');
  await queryInterface.dropTable('campaigns');
}
