import type { InvitationService } from '../../services/invitation-service';
import type { ApiRouter } from '../api/api-router';
import { presentCampaign, presentInvitation } from '../presenters';
import { Campaign } from '../schemas/campaigns';
import { IdParams } from '../schemas/common';
import { Invitation, InvitationList, InvitationParams, InviteBody } from '../schemas/invitations';

const tag = 'Invitations';

/** Membership by invitation: invite, list one's own, accept, decline, revoke. */
export function invitationRoutes(api: ApiRouter, invitations: InvitationService): void {
  api.authed(
    {
      method: 'post',
      operationId: 'inviteMember',
      path: '/api/campaigns/:id/invitations',
      summary:
        'Invite an account by username (OWNER; GM for PLAYER and OBSERVER). ' +
        'An unknown or deactivated username answers 404; the invitee joins only by accepting.',
      tag,
      params: IdParams,
      body: InviteBody,
      status: 201,
      response: Invitation,
      errors: [403, 404, 409],
    },
    async ({ params, body }, caller) =>
      presentInvitation(
        await invitations.invite(params.id, caller.userId, body.username, body.role),
      ),
  );
  api.authed(
    {
      method: 'delete',
      operationId: 'revokeInvitation',
      path: '/api/campaigns/:id/invitations/:invitationId',
      summary: 'Revoke a pending invitation',
      tag,
      params: InvitationParams,
      status: 204,
      errors: [403, 404],
    },
    async ({ params }, caller) => invitations.revoke(params.id, params.invitationId, caller.userId),
  );
  api.authed(
    {
      method: 'get',
      operationId: 'listInvitations',
      path: '/api/invitations',
      summary: 'Your pending invitations',
      tag,
      status: 200,
      response: InvitationList,
      errors: [],
    },
    async (_input, caller) => ({
      data: (await invitations.listMine(caller.userId)).map(presentInvitation),
    }),
  );
  api.authed(
    {
      method: 'post',
      operationId: 'acceptInvitation',
      path: '/api/invitations/:id/accept',
      summary: 'Accept an invitation addressed to you: you become a member with its role',
      tag,
      params: IdParams,
      status: 200,
      response: Campaign,
      errors: [404, 409],
    },
    async ({ params }, caller) =>
      presentCampaign(await invitations.accept(params.id, caller.userId)),
  );
  api.authed(
    {
      method: 'post',
      operationId: 'declineInvitation',
      path: '/api/invitations/:id/decline',
      summary: 'Decline an invitation addressed to you',
      tag,
      params: IdParams,
      status: 204,
      errors: [404],
    },
    async ({ params }, caller) => invitations.decline(params.id, caller.userId),
  );
}
