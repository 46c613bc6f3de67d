import type { Sequelize } from 'sequelize';
import { AuthToken } from './auth-token';
import { Campaign } from './campaign';
import { CampaignInvitation } from './campaign-invitation';
import { CampaignMembership } from './campaign-membership';
import { Character } from './character';
import { Item } from './item';
import { Location } from './location';
import { associateAuditUsers } from './mixins/audited';
import { User } from './user';
import type { RowKind } from '../app/registry';

export { Campaign, CampaignMembership, Character, Item, Location, User };
export { AuthToken, CampaignInvitation };

/**
 * The model of each kind the registry declares (app/registry): a table
 * declared without a model here fails the type check.
 */
export const AUDITED_MODELS = {
  character: Character,
  item: Item,
  location: Location,
  campaign: Campaign,
} as const satisfies Record<RowKind, unknown>;
export { CAMPAIGN_ROLES, type CampaignRole } from './campaign-membership';

/** Binds every model to `sequelize` and declares the associations. Call once per instance. */
export function initModels(sequelize: Sequelize): void {
  for (const model of [User, Campaign, CampaignMembership, Character, Item, Location]) {
    model.initModel(sequelize);
  }

  Campaign.belongsTo(User, { as: 'owner', foreignKey: 'ownerId' });
  User.hasMany(Campaign, { as: 'ownedCampaigns', foreignKey: 'ownerId' });

  CampaignMembership.belongsTo(Campaign, { as: 'campaign', foreignKey: 'campaignId' });
  CampaignMembership.belongsTo(User, { as: 'user', foreignKey: 'userId' });
  Campaign.hasMany(CampaignMembership, { as: 'memberships', foreignKey: 'campaignId' });
  User.hasMany(CampaignMembership, { as: 'memberships', foreignKey: 'userId' });

  Character.belongsTo(Campaign, { as: 'campaign', foreignKey: 'campaignId' });
  Character.belongsTo(User, { as: 'playerOwner', foreignKey: 'playerOwnerId' });
  Campaign.hasMany(Character, { as: 'characters', foreignKey: 'campaignId' });

  for (const model of [Item, Location]) {
    model.belongsTo(Campaign, { as: 'campaign', foreignKey: 'campaignId' });
  }
  // Audit: createdByUser and modifiedByUser on every audited model.
  for (const model of Object.values(AUDITED_MODELS)) associateAuditUsers(model, User);
  Campaign.hasMany(Item, { as: 'items', foreignKey: 'campaignId' });
  Campaign.hasMany(Location, { as: 'locations', foreignKey: 'campaignId' });

  AuthToken.initModel(sequelize);
  AuthToken.belongsTo(User, { as: 'user', foreignKey: 'userId' });

  CampaignInvitation.initModel(sequelize);
  CampaignInvitation.belongsTo(Campaign, { as: 'campaign', foreignKey: 'campaignId' });
  CampaignInvitation.belongsTo(User, { as: 'invitee', foreignKey: 'userId' });
  CampaignInvitation.belongsTo(User, { as: 'inviter', foreignKey: 'invitedBy' });
}
