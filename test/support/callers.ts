import type { TestUser } from './api-client';
import type { CampaignFixture } from './campaign-fixture';

/** Who calls a campaign's endpoints: a member by role, someone outside it, or nobody signed in. */
export type Who = 'OWNER' | 'GM' | 'PLAYER' | 'OBSERVER' | 'non-member' | 'anonymous';

export const WHO: readonly Who[] = ['OWNER', 'GM', 'PLAYER', 'OBSERVER', 'non-member', 'anonymous'];

/** The fixture's user for `who`; undefined for an anonymous caller. */
export function userOf(f: CampaignFixture, who: Who): TestUser | undefined {
  const users: Record<Who, TestUser | undefined> = {
    OWNER: f.owner,
    GM: f.gm,
    PLAYER: f.player,
    OBSERVER: f.observer,
    'non-member': f.outsider,
    anonymous: undefined,
  };
  return users[who];
}
