import { Op, type Sequelize, type Transaction } from 'sequelize';
import { withHistorySource } from '../context';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { CampaignMembership, User, type Campaign, type CampaignRole } from '../../models';
import { accessCampaign } from './campaign-access';
import { canManageMember } from './permissions';

export type MemberWithUser = CampaignMembership & { user: User };

/**
 * Campaign members: any member lists them; OWNER (and GM, for minor roles)
 * manages them. Nobody adds another account: members join by invitation
 * (InvitationService).
 */
export class MembershipService {
  constructor(private readonly sequelize: Sequelize) {}

  /** The members of a campaign with their user names. */
  async list(campaignId: number, callerId: number): Promise<MemberWithUser[]> {
    await accessCampaign(campaignId, callerId);
    return (await CampaignMembership.findAll({
      where: { campaignId },
      include: [{ model: User, as: 'user', attributes: ['id', 'username', 'displayName'] }],
      order: [['id', 'ASC']],
    })) as MemberWithUser[];
  }

  /** Changes a member's role; the last OWNER cannot be demoted. */
  async changeRole(
    campaignId: number,
    callerId: number,
    userId: number,
    role: CampaignRole,
  ): Promise<MemberWithUser> {
    return this.sequelize.transaction(async (transaction) => {
      const { target, campaign } = await this.authorize(
        campaignId,
        callerId,
        userId,
        role,
        transaction,
      );
      if (target.role === 'OWNER' && role !== 'OWNER') {
        await this.handOver(campaign, userId, transaction);
      }
      await withHistorySource('role', () => target.update({ role }, { transaction }));
      return target;
    });
  }

  /** Removes a member (anyone may leave); the last OWNER cannot be removed. */
  async remove(campaignId: number, callerId: number, userId: number): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      const { target, campaign } = await this.authorize(
        campaignId,
        callerId,
        userId,
        undefined,
        transaction,
      );
      if (target.role === 'OWNER') await this.handOver(campaign, userId, transaction);
      // Decided by the row count, like every delete: a concurrent removal wins or this does.
      // Recorded as `leave` when members remove themselves (app/services/membership-events.ts).
      const deleted = await withHistorySource(userId === callerId ? 'leave' : 'remove', () =>
        CampaignMembership.destroy({ where: { id: target.id }, transaction }),
      );
      if (deleted !== 1) {
        throw new NotFoundError(`User ${userId} is not a member of campaign ${campaignId}`);
      }
    });
  }

  private async authorize(
    campaignId: number,
    callerId: number,
    userId: number,
    newRole: CampaignRole | undefined,
    transaction: Transaction,
  ): Promise<{ target: MemberWithUser; campaign: Campaign }> {
    // The campaign row lock serialises membership changes: two owners
    // demoting each other at once cannot leave the campaign without one.
    const access = await accessCampaign(campaignId, callerId, { transaction, lock: true });
    const target = (await CampaignMembership.findOne({
      where: { campaignId, userId },
      include: [{ model: User, as: 'user', attributes: ['id', 'username', 'displayName'] }],
      transaction,
    })) as MemberWithUser | null;
    if (!target)
      throw new NotFoundError(`User ${userId} is not a member of campaign ${campaignId}`);
    const leaving = newRole === undefined && userId === callerId;
    if (!leaving && !canManageMember(access.role, target.role, newRole)) {
      throw new ForbiddenError(`Your role (${access.role}) cannot change this membership`);
    }
    return { target, campaign: access.campaign };
  }

  /**
   * An OWNER is leaving or stepping down: refuse if they are the last one,
   * and move the campaign's ownerId to another OWNER if it named them.
   */
  private async handOver(
    campaign: Campaign,
    leavingUserId: number,
    transaction: Transaction,
  ): Promise<void> {
    const next = await CampaignMembership.findOne({
      where: { campaignId: campaign.id, role: 'OWNER', userId: { [Op.ne]: leavingUserId } },
      order: [['id', 'ASC']],
      transaction,
    });
    if (!next) {
      throw new ConflictError(
        'A campaign needs at least one OWNER; make another member OWNER first',
      );
    }
    if (campaign.ownerId === leavingUserId) {
      await campaign.update({ ownerId: next.userId }, { transaction });
    }
  }
}
