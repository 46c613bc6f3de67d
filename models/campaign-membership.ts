import {
  DataTypes,
  Model,
  type CreationOptional,
  type ForeignKey,
  type InferAttributes,
  type InferCreationAttributes,
  type Sequelize,
} from 'sequelize';
import { applyHistoryContext } from './mixins/history-context';
import type { Campaign } from './campaign';
import type { User } from './user';

export const CAMPAIGN_ROLES = ['OWNER', 'GM', 'PLAYER', 'OBSERVER'] as const;
export type CampaignRole = (typeof CAMPAIGN_ROLES)[number];

/** A user's role in one campaign; one row per (campaign, user). */
export class CampaignMembership extends Model<
  InferAttributes<CampaignMembership>,
  InferCreationAttributes<CampaignMembership>
> {
  declare id: CreationOptional<number>;
  declare campaignId: ForeignKey<Campaign['id']>;
  declare userId: ForeignKey<User['id']>;
  declare role: CampaignRole;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CampaignMembership.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        campaignId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        role: {
          type: DataTypes.STRING(16),
          allowNull: false,
          validate: { isIn: [CAMPAIGN_ROLES as unknown as string[]] },
        },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'campaign_memberships', modelName: 'CampaignMembership' },
    );
    // Captured by the history, not audited: its writes still tell the capture who makes them.
    applyHistoryContext(CampaignMembership);
  }
}
