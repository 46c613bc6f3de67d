import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = { transactional: true, table: 'characters', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'characters',
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
        // A player's own characters leave with the player's account.
        player_owner_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
        },
        game_system: { type: DataTypes.STRING(100), allowNull: false, defaultValue: '' },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addConstraint('characters', {
      type: 'unique',
      name: 'characters_campaign_id_name_key',
      fields: ['campaign_id', 'name'],
      transaction,
    });
    await queryInterface.addIndex('characters', ['player_owner_id'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  await refuseToLoseRows(queryInterface, 'characters');
  await queryInterface.dropTable('characters');
}
