import type { Transaction } from 'sequelize';
import { NotFoundError } from '../errors';
import { Campaign, CampaignMembership, type CampaignRole } from '../../models';
import { auditUsersInclude } from '../../models/mixins/audit-queries';

/** A campaign as one member sees it. */
export interface CampaignAccess {
  campaign: Campaign;
  role: CampaignRole;
}

/**
 * The campaign and the caller's role in it, in one query. A campaign the
 * caller is not a member of answers the same 404 as one that does not exist.
 * With `lock`, the campaign row is locked FOR UPDATE in the transaction.
 */
export async function accessCampaign(
  campaignId: number,
  userId: number,
  options: { transaction?: Transaction; lock?: boolean } = {},
): Promise<CampaignAccess> {
  const { transaction } = options;
  if (options.lock && transaction) {
    await Campaign.findByPk(campaignId, {
      attributes: ['id'],
      transaction,
      lock: transaction.LOCK.UPDATE,
    });
  }
  const membership = (await CampaignMembership.findOne({
    where: { campaignId, userId },
    include: [
      { model: Campaign, as: 'campaign', required: true, include: auditUsersInclude(Campaign) },
    ],
    transaction,
  })) as (CampaignMembership & { campaign: Campaign }) | null;
  if (!membership) throw new NotFoundError(`Campaign ${campaignId} not found`);
  return { campaign: membership.campaign, role: membership.role };
}

/** For `.catch()`: "no such campaign for you" becomes null; other errors pass. */
export function notFoundAsNull(error: unknown): null {
  if (error instanceof NotFoundError) return null;
  throw error;
}
