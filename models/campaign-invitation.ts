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
import { CAMPAIGN_ROLES, type CampaignRole } from './campaign-membership';
import type { User } from './user';

/** A pending offer to join a campaign with a role; deleted once accepted, declined or revoked. */
export class CampaignInvitation extends Model<
  InferAttributes<CampaignInvitation>,
  InferCreationAttributes<CampaignInvitation>
> {
  declare id: CreationOptional<number>;
  declare campaignId: ForeignKey<Campaign['id']>;
  /** The invitee. */
  declare userId: ForeignKey<User['id']>;
  declare invitedBy: ForeignKey<User['id']> | null;
  declare role: CampaignRole;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    CampaignInvitation.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        campaignId: { type: DataTypes.INTEGER, allowNull: false },
        userId: { type: DataTypes.INTEGER, allowNull: false },
        invitedBy: { type: DataTypes.INTEGER, allowNull: true },
        role: {
          type: DataTypes.STRING(16),
          allowNull: false,
          validate: { isIn: [CAMPAIGN_ROLES as unknown as string[]] },
        },
        expiresAt: { type: DataTypes.DATE, allowNull: false },
        createdAt: { type: DataTypes.DATE, allowNull: false },
        updatedAt: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'campaign_invitations', modelName: 'CampaignInvitation' },
    );
    // Captured by the history, not audited: its writes still tell the capture who makes them.
    applyHistoryContext(CampaignInvitation);
  }
}
