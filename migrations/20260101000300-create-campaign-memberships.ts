import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { refuseToLoseRows } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'campaign_memberships',
  kind: 'schema',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'campaign_memberships',
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        campaign_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'campaigns', key: 'id' },
          onDelete: 'CASCADE',
        },
        user_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'CASCADE',
        },
        role: { type: DataTypes.STRING(16), allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    // A CHECK rather than an ENUM type: a new role is then a one-line change.
    await queryInterface.addConstraint('campaign_memberships', {
      type: 'check',
      name: 'campaign_memberships_role_check',
      fields: ['role'],
      where: { role: ['OWNER', 'GM', 'PLAYER', 'OBSERVER'] },
      transaction,
    });
    await queryInterface.addConstraint('campaign_memberships', {
      type: 'unique',
      name: 'campaign_memberships_campaign_id_user_id_key',
      fields: ['campaign_id', 'user_id'],
      transaction,
    });
    await queryInterface.addIndex('campaign_memberships', ['user_id'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  // Nothing brings the rows back: refused while it holds any, unless --discard-data.
  await refuseToLoseRows(queryInterface, 'campaign_memberships');
  await queryInterface.dropTable('campaign_memberships');
}
