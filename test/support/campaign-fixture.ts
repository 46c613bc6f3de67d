import type { Express } from 'express';
import { addMember, createCampaign, signUp, testApp, type TestUser } from './api-client';
import type { TestDatabase } from './test-database';

export const ROLES = ['OWNER', 'GM', 'PLAYER', 'OBSERVER'] as const;

/** A campaign with one user per role, a second player, and an outsider. */
export interface CampaignFixture {
  app: Express;
  campaignId: number;
  owner: TestUser;
  gm: TestUser;
  player: TestUser;
  otherPlayer: TestUser;
  observer: TestUser;
  outsider: TestUser;
}

/** Builds the fixture through the API itself. */
export async function campaignFixture(
  db: TestDatabase,
  options: { campaign?: Record<string, unknown>; prefix?: string } = {},
): Promise<CampaignFixture> {
  const app = testApp(db);
  const prefix = options.prefix ?? '';
  const [owner, gm, player, otherPlayer, observer, outsider] = await Promise.all(
    ['owner', 'gamemaster', 'player', 'player2', 'observer', 'outsider'].map((name) =>
      signUp(app, `${prefix}${name}`),
    ),
  );
  const campaign = options.campaign ?? {};
  const campaignId = await createCampaign(app, owner!, campaign);
  await addMember(app, owner!, campaignId, gm!, 'GM');
  await addMember(app, owner!, campaignId, player!, 'PLAYER');
  await addMember(app, owner!, campaignId, otherPlayer!, 'PLAYER');
  await addMember(app, owner!, campaignId, observer!, 'OBSERVER');
  return {
    app,
    campaignId,
    owner: owner!,
    gm: gm!,
    player: player!,
    otherPlayer: otherPlayer!,
    observer: observer!,
    outsider: outsider!,
  };
}
