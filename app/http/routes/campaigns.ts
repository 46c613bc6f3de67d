import type { AsOfService } from '../../services/as-of-service';
import type { CampaignService } from '../../services/campaign-service';
import type { MembershipService } from '../../services/membership-service';
import type { ApiRouter } from '../api/api-router';
import { presentCampaignAsOf } from '../as-of-presenters';
import { presentCampaign, presentMember } from '../presenters';
import { AsOfQuery } from '../schemas/as-of';
import {
  Campaign,
  CampaignList,
  CreateCampaignBody,
  Member,
  MemberList,
  MemberParams,
  UpdateCampaignBody,
  UpdateMemberBody,
} from '../schemas/campaigns';
import { IdParams } from '../schemas/common';

const tag = 'Campaigns';

/** Campaigns and their members. */
export function campaignRoutes(
  api: ApiRouter,
  campaigns: CampaignService,
  members: MembershipService,
  asOf: AsOfService,
): void {
  api.authed(
    {
      method: 'get',
      operationId: 'listCampaigns',
      path: '/api/campaigns',
      summary: 'Campaigns you are a member of',
      tag,
      status: 200,
      response: CampaignList,
      errors: [],
    },
    async (_input, caller) => ({
      data: (await campaigns.list(caller.userId)).map(presentCampaign),
    }),
  );
  api.authed(
    {
      method: 'post',
      operationId: 'createCampaign',
      path: '/api/campaigns',
      summary: 'Create a campaign; you become its OWNER',
      tag,
      body: CreateCampaignBody,
      status: 201,
      response: Campaign,
      errors: [],
      etag: true,
    },
    async ({ body }, caller) => presentCampaign(await campaigns.create(caller.userId, body)),
  );
  api.authed(
    {
      method: 'get',
      operationId: 'getCampaign',
      path: '/api/campaigns/:id',
      summary: 'One campaign, or with asOf as it was then',
      tag,
      params: IdParams,
      query: AsOfQuery,
      status: 200,
      response: Campaign,
      errors: [404],
      etag: true,
    },
    async ({ params, query }, caller) => {
      if (query.asOf === undefined) {
        return presentCampaign(await campaigns.get(params.id, caller.userId));
      }
      const { row, users, role } = await asOf.get('campaign', params.id, caller.userId, query.asOf);
      return presentCampaignAsOf(row, users, role);
    },
  );
  api.authed(
    {
      method: 'patch',
      operationId: 'updateCampaign',
      path: '/api/campaigns/:id',
      summary: 'Change a campaign (OWNER or GM)',
      tag,
      params: IdParams,
      body: UpdateCampaignBody,
      status: 200,
      response: Campaign,
      errors: [403, 404],
      etag: true,
    },
    async ({ params, body, ifMatch }, caller) =>
      presentCampaign(
        await campaigns.update(params.id, caller.userId, body, ifMatch(presentCampaign)),
      ),
  );
  api.authed(
    {
      method: 'delete',
      operationId: 'deleteCampaign',
      path: '/api/campaigns/:id',
      summary: 'Delete a campaign and its content (OWNER)',
      tag,
      params: IdParams,
      status: 204,
      errors: [403, 404],
      etag: true,
    },
    async ({ params, ifMatch }, caller) =>
      campaigns.remove(params.id, caller.userId, ifMatch(presentCampaign)),
  );

  api.authed(
    {
      method: 'get',
      operationId: 'listMembers',
      path: '/api/campaigns/:id/members',
      summary: 'Members of a campaign',
      tag,
      params: IdParams,
      status: 200,
      response: MemberList,
      errors: [404],
    },
    async ({ params }, caller) => ({
      data: (await members.list(params.id, caller.userId)).map(presentMember),
    }),
  );
  api.authed(
    {
      method: 'patch',
      operationId: 'updateMember',
      path: '/api/campaigns/:id/members/:userId',
      summary: "Change a member's role",
      tag,
      params: MemberParams,
      body: UpdateMemberBody,
      status: 200,
      response: Member,
      errors: [403, 404, 409],
    },
    async ({ params, body }, caller) =>
      presentMember(await members.changeRole(params.id, caller.userId, params.userId, body.role)),
  );
  api.authed(
    {
      method: 'delete',
      operationId: 'removeMember',
      path: '/api/campaigns/:id/members/:userId',
      summary: 'Remove a member (or leave)',
      tag,
      params: MemberParams,
      status: 204,
      errors: [403, 404, 409],
    },
    async ({ params }, caller) => members.remove(params.id, caller.userId, params.userId),
  );
}
