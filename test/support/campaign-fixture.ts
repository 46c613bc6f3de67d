import type { Express } from 'express';
import { addMember, createCampaign, signUp, testApp, type TestUser } from './api-client';
import { createTestDatabase, type TestDatabase } from './test-database';
import { withAdminClient } from './test-server';

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

/** A test's database cloned from the fixture's, and the fixture on it. */
export interface FixtureDatabase {
  current: TestDatabase;
  fixture: CampaignFixture;
}

/**
 * Mocha hooks giving each test in the block its own database with the
 * campaign fixture in it. The fixture is built through the API once per
 * block, in a database that each test then clones (tens of milliseconds
 * instead of the twenty-odd requests of building it again): every test
 * starts from the same rows, ids and tokens, on a fresh app. Its rows are
 * as old as the block, not the test: a test that needs them made after a
 * time it takes builds its own with campaignFixture.
 */
export function useFixtureDatabase(
  options: Parameters<typeof campaignFixture>[1] = {},
): FixtureDatabase {
  const holder = {} as FixtureDatabase;
  let template: { name: string; fixture: Omit<CampaignFixture, 'app'> } | undefined;
  before(async () => {
    const db = await createTestDatabase('latest');
    const { app: _built, ...fixture } = await campaignFixture(db, options);
    // A database with open connections cannot be cloned.
    await db.sequelize.close();
    template = { name: db.name, fixture };
  });
  after(async () => {
    if (!template) return;
    const { name } = template;
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });
  beforeEach(async () => {
    holder.current = await createTestDatabase({ database: template!.name });
    holder.fixture = { ...template!.fixture, app: testApp(holder.current) };
  });
  afterEach(async () => {
    await holder.current?.drop();
  });
  return holder;
}
