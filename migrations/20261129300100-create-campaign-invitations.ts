// Campaign invitations: a member with the right role invites an account by
// username; the account joins only when it accepts. A row is a pending
// invitation; accepting, declining or revoking deletes it, and an expired one
// is ignored (and replaced by a new invitation). One per campaign and invitee.
// One transaction. Down keeps pending invitations: a table holding any is
// renamed aside (campaign_invitations_archived, its keys still cascading) and
// back by the next up; an empty one, or any with --discard-data, is dropped.
import type { QueryInterface } from 'sequelize';
import { DataTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { bringTableBack, keepTableAside } from '../app/db/migration-lib/kept-rows';

export const meta: MigrationMeta = {
  transactional: true,
  table: 'campaign_invitations',
  kind: 'schema',
};

export async function up(queryInterface: QueryInterface): Promise<void> {
  if (await bringTableBack(queryInterface, 'campaign_invitations')) return;
  await queryInterface.sequelize.transaction(async (transaction) => {
    await queryInterface.createTable(
      'campaign_invitations',
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
        invited_by: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'SET NULL',
        },
        role: { type: DataTypes.STRING(16), allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { transaction },
    );
    await queryInterface.addIndex('campaign_invitations', ['campaign_id', 'user_id'], {
      name: 'campaign_invitations_campaign_user_key',
      unique: true,
      transaction,
    });
    await queryInterface.addIndex('campaign_invitations', ['user_id'], { transaction });
    await queryInterface.addIndex('campaign_invitations', ['invited_by'], { transaction });
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await keepTableAside(queryInterface, 'campaign_invitations', () =>
    queryInterface.dropTable('campaign_invitations'),
  );
}
