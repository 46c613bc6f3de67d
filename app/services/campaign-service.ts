import type { Sequelize } from 'sequelize';
import { ForbiddenError, NotFoundError } from '../errors';
import { Campaign, CampaignMembership } from '../../models';
import { auditUsersInclude } from '../../models/mixins/audit-queries';
import { accessCampaign, type CampaignAccess } from './campaign-access';
import { canDeleteCampaign, isEditor } from './permissions';
import { requireUnchanged, type Precondition } from './precondition';

export interface CampaignInput {
  name?: string | undefined;
  description?: string | undefined;
  gameSystem?: string | undefined;
  playersCanCreateContent?: boolean | undefined;
}

/** Campaigns: the creator becomes their OWNER; members see them, editors change them. */
export class CampaignService {
  constructor(private readonly sequelize: Sequelize) {}

  /** Creates the campaign and the creator's OWNER membership in one transaction. */
  async create(userId: number, input: CampaignInput & { name: string }): Promise<CampaignAccess> {
    return this.sequelize.transaction(async (transaction) => {
      const campaign = await Campaign.create(
        { ...defined(input), name: input.name, ownerId: userId },
        { transaction },
      );
      await CampaignMembership.create(
        { campaignId: campaign.id, userId, role: 'OWNER' },
        { transaction },
      );
      await campaign.reload({ include: auditUsersInclude(Campaign), transaction });
      return { campaign, role: 'OWNER' as const };
    });
  }

  /** Every campaign the user is a member of, oldest first. */
  async list(userId: number): Promise<CampaignAccess[]> {
    const memberships = await CampaignMembership.findAll({
      where: { userId },
      include: [
        { model: Campaign, as: 'campaign', required: true, include: auditUsersInclude(Campaign) },
      ],
      order: [['campaignId', 'ASC']],
    });
    return memberships.map((m) => ({
      campaign: (m as CampaignMembership & { campaign: Campaign }).campaign,
      role: m.role,
    }));
  }

  /** One campaign, if the user is a member. */
  get(campaignId: number, userId: number): Promise<CampaignAccess> {
    return accessCampaign(campaignId, userId);
  }

  /**
   * Changes name, description, game system or the player setting: OWNER or
   * GM. The campaign row is locked (FOR UPDATE) before the permission check
   * and written in the same transaction; a `precondition` (If-Match) is
   * checked under that lock, on the campaign as the caller sees it.
   */
  async update(
    campaignId: number,
    userId: number,
    input: CampaignInput,
    precondition?: Precondition<CampaignAccess>,
  ): Promise<CampaignAccess> {
    return this.sequelize.transaction(async (transaction) => {
      const access = await accessCampaign(campaignId, userId, { transaction, lock: true });
      if (!isEditor(access.role)) {
        throw new ForbiddenError('Only the OWNER or a GM can change the campaign');
      }
      await requireUnchanged(precondition, async () => access, `Campaign ${campaignId}`);
      await access.campaign.update(defined(input), { transaction });
      // The modifier may have changed: the response names who it is now.
      await access.campaign.reload({ include: auditUsersInclude(Campaign), transaction });
      return access;
    });
  }

  /**
   * Deletes the campaign and, through the foreign keys, everything in it:
   * OWNER only, under the same row lock (and `precondition`) as update.
   */
  async remove(
    campaignId: number,
    userId: number,
    precondition?: Precondition<CampaignAccess>,
  ): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      const access = await accessCampaign(campaignId, userId, { transaction, lock: true });
      if (!canDeleteCampaign(access.role)) {
        throw new ForbiddenError('Only an OWNER can delete the campaign');
      }
      await requireUnchanged(precondition, async () => access, `Campaign ${campaignId}`);
      // The row count decides: of concurrent deletes exactly one removes the row.
      const deleted = await Campaign.destroy({ where: { id: campaignId }, transaction });
      if (deleted !== 1) throw new NotFoundError(`Campaign ${campaignId} not found`);
    });
  }
}

/** Drops undefined values, so an absent field leaves the column alone. */
export function defined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<T>;
}
