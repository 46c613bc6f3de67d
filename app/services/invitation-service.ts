import {
  Op,
  UniqueConstraintError,
  col,
  fn,
  where,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import { normalizeUsername } from '../auth/username';
import { withHistorySource } from '../context';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import {
  Campaign,
  CampaignInvitation,
  CampaignMembership,
  User,
  type CampaignRole,
} from '../../models';
import { accessCampaign, type CampaignAccess } from './campaign-access';
import { canManageMember } from './permissions';

/** An invitation with what both sides see: the campaign's name, the invitee and the inviter. */
export type InvitationView = CampaignInvitation & {
  campaign: Campaign;
  invitee: User;
  inviter: User | null;
};

const VIEW_INCLUDES = [
  { model: Campaign, as: 'campaign', attributes: ['id', 'name'], required: true },
  { model: User, as: 'invitee', attributes: ['id', 'username', 'displayName'], required: true },
  { model: User, as: 'inviter', attributes: ['id', 'username', 'displayName'] },
];

/**
 * Membership by invitation: a member who may grant a role invites an account
 * by username; the account becomes a member only by accepting. Until then it
 * sees nothing of the campaign, and only it can accept or decline.
 */
export class InvitationService {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly ttlDays: number,
  ) {}

  /**
   * Invites the active account named `username` (any case). An unknown and a
   * deactivated account answer the same 404: registration already tells
   * whether a name is taken, so hiding that here would protect nothing, but
   * nothing more (id, display name, state) is revealed to the inviter.
   */
  async invite(
    campaignId: number,
    callerId: number,
    username: string,
    role: CampaignRole,
    /** An outer transaction to run in (a seeder's), as a savepoint. */
    outer?: Transaction,
  ): Promise<InvitationView> {
    const access = await accessCampaign(campaignId, callerId, { transaction: outer });
    if (!canManageMember(access.role, undefined, role)) {
      throw new ForbiddenError(`Your role (${access.role}) cannot invite a member as ${role}`);
    }
    const invitee = await User.findOne({
      where: {
        [Op.and]: [where(fn('lower', col('username')), normalizeUsername(username))],
        isActive: true,
      },
      attributes: ['id'],
      transaction: outer,
    });
    if (!invitee) throw new NotFoundError(`No active account is named "${username}"`);
    const member = await CampaignMembership.findOne({
      where: { campaignId, userId: invitee.id },
      attributes: ['id'],
      transaction: outer,
    });
    if (member) throw new ConflictError(`"${username}" is already a member of this campaign`);
    const id = await this.sequelize.transaction({ transaction: outer }, async (transaction) => {
      // An expired invitation no longer counts: a new one replaces it.
      await withHistorySource('expire', () =>
        CampaignInvitation.destroy({
          where: { campaignId, userId: invitee.id, expiresAt: { [Op.lte]: new Date() } },
          transaction,
        }),
      );
      try {
        const invitation = await withHistorySource('invite', () =>
          CampaignInvitation.create(
            {
              campaignId,
              userId: invitee.id,
              invitedBy: callerId,
              role,
              expiresAt: new Date(Date.now() + this.ttlDays * 86_400_000),
            },
            { transaction },
          ),
        );
        return invitation.id;
      } catch (error) {
        if (error instanceof UniqueConstraintError) {
          throw new ConflictError(
            `"${username}" already has a pending invitation to this campaign`,
          );
        }
        throw error;
      }
    });
    return this.view(id, outer);
  }

  /** The caller's pending (unexpired) invitations, newest first. */
  async listMine(callerId: number): Promise<InvitationView[]> {
    return (await CampaignInvitation.findAll({
      where: { userId: callerId, expiresAt: { [Op.gt]: new Date() } },
      include: VIEW_INCLUDES,
      order: [['id', 'DESC']],
    })) as InvitationView[];
  }

  /** Makes the caller a member with the invitation's role; the invitation is used up. */
  async accept(
    invitationId: number,
    callerId: number,
    outer?: Transaction,
  ): Promise<CampaignAccess> {
    return this.sequelize.transaction({ transaction: outer }, async (transaction) => {
      const invitation = await CampaignInvitation.findOne({
        where: { id: invitationId, userId: callerId, expiresAt: { [Op.gt]: new Date() } },
        lock: transaction.LOCK.UPDATE,
        transaction,
      });
      if (!invitation) throw new NotFoundError(`Invitation ${invitationId} not found`);
      // The row lock makes this the only accept; the count makes sure of it.
      // Both writes are recorded as `accept` (app/services/membership-events.ts).
      const used = await withHistorySource('accept', () =>
        CampaignInvitation.destroy({ where: { id: invitation.id }, transaction }),
      );
      if (used !== 1) throw new NotFoundError(`Invitation ${invitationId} not found`);
      const { campaignId, role } = invitation;
      const existing = await CampaignMembership.findOne({
        where: { campaignId, userId: callerId },
        transaction,
      });
      if (existing) throw new ConflictError('You are already a member of this campaign');
      await withHistorySource('accept', () =>
        CampaignMembership.create({ campaignId, userId: callerId, role }, { transaction }),
      );
      return accessCampaign(campaignId, callerId, { transaction });
    });
  }

  /** Declines: the invitation is deleted. Only its invitee may; anyone else gets 404. */
  async decline(invitationId: number, callerId: number): Promise<void> {
    const deleted = await withHistorySource('decline', () =>
      CampaignInvitation.destroy({
        where: { id: invitationId, userId: callerId, expiresAt: { [Op.gt]: new Date() } },
      }),
    );
    if (deleted !== 1) throw new NotFoundError(`Invitation ${invitationId} not found`);
  }

  /** Revokes a pending invitation: whoever may grant its role (OWNER; GM for PLAYER and OBSERVER). */
  async revoke(campaignId: number, invitationId: number, callerId: number): Promise<void> {
    const access = await accessCampaign(campaignId, callerId);
    const invitation = await CampaignInvitation.findOne({
      where: { id: invitationId, campaignId },
      attributes: ['id', 'role'],
    });
    if (!invitation) throw new NotFoundError(`Invitation ${invitationId} not found`);
    if (!canManageMember(access.role, invitation.role, undefined)) {
      throw new ForbiddenError(`Your role (${access.role}) cannot revoke this invitation`);
    }
    // Decided by the row count: of concurrent revokes (or a revoke racing an
    // accept), exactly one succeeds.
    const deleted = await withHistorySource('revoke', () =>
      CampaignInvitation.destroy({ where: { id: invitationId, campaignId } }),
    );
    if (deleted !== 1) throw new NotFoundError(`Invitation ${invitationId} not found`);
  }

  private async view(id: number, transaction?: Transaction): Promise<InvitationView> {
    const invitation = await CampaignInvitation.findByPk(id, {
      include: VIEW_INCLUDES,
      transaction,
    });
    if (!invitation) throw new NotFoundError(`Invitation ${id} not found`);
    return invitation as InvitationView;
  }
}
