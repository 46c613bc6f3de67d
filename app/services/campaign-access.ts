import type { Transaction } from 'sequelize';
import { NotFoundError } from '../errors';
import { Campaign, CampaignMembership, type CampaignRole } from '../../models';

/** A campaign as one member sees it. */
export interface CampaignAccess {
  campaign: Campaign;
  role: CampaignRole;
}

/**
 * The campaign and the caller's role in it. A campaign the caller is not a
 * member of answers the same 404 as one that does not exist.
 */
export async function accessCampaign(
  campaignId: number,
  userId: number,
  options: { transaction?: Transaction; lock?: boolean } = {},
): Promise<CampaignAccess> {
  const membership = await CampaignMembership.findOne({
    where: { campaignId, userId },
    transaction: options.transaction,
  });
  const campaign = membership
    ? await Campaign.findByPk(campaignId, {
        transaction: options.transaction,
        ...(options.lock && options.transaction ? { lock: options.transaction.LOCK.UPDATE } : {}),
      })
    : null;
  if (!membership || !campaign) throw new NotFoundError(`Campaign ${campaignId} not found`);
  return { campaign, role: membership.role };
}
