import type { CampaignRole } from '../../models';
import type { RowAsOf, UserSummaries } from '../services/rows-as-of';
import type { SnapshotPage } from '../services/snapshot-service';
import { userSummary } from './presenters';

// Rows as they were (app/services/rows-as-of.ts) to the bodies the ordinary
// GETs send (presenters.ts): the same fields in the same order.

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const int = (value: unknown): number => value as number;

function userOf(users: UserSummaries, id: unknown) {
  return typeof id === 'number' ? userSummary(users.get(id)) : null;
}

function auditFieldsAsOf(row: RowAsOf, users: UserSummaries) {
  return {
    createdBy: userOf(users, row.createdBy),
    modifiedBy: userOf(users, row.modifiedBy),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The fields characters, items and locations share, first in each body. */
function contentFieldsAsOf(row: RowAsOf) {
  const v = row.values;
  return {
    id: row.id,
    campaignId: int(v.campaign_id),
    name: text(v.name),
    description: text(v.description),
  };
}

export function presentCharacterAsOf(row: RowAsOf, users: UserSummaries) {
  const v = row.values;
  return {
    ...contentFieldsAsOf(row),
    gameSystem: text(v.game_system),
    playerOwnerId: int(v.player_owner_id),
    playerOwner: userOf(users, v.player_owner_id),
    ...auditFieldsAsOf(row, users),
  };
}

export function presentThingAsOf(row: RowAsOf, users: UserSummaries) {
  return { ...contentFieldsAsOf(row), ...auditFieldsAsOf(row, users) };
}

/** A campaign as it was, with the caller's role in it now. */
export function presentCampaignAsOf(row: RowAsOf, users: UserSummaries, role: CampaignRole) {
  const v = row.values;
  return {
    id: row.id,
    name: text(v.name),
    description: text(v.description),
    gameSystem: text(v.game_system),
    ownerId: typeof v.owner_id === 'number' ? v.owner_id : null,
    playersCanCreateContent: v.players_can_create_content === true,
    role,
    ...auditFieldsAsOf(row, users),
  };
}

/** A snapshot page: each row with its kind, in the body its own GET sends. */
export function presentSnapshotPage(
  at: string,
  page: SnapshotPage,
  issue: (next: NonNullable<SnapshotPage['next']>) => string,
) {
  return {
    at,
    data: page.rows.map((row) =>
      row.kind === 'character'
        ? { kind: row.kind, ...presentCharacterAsOf(row, page.users) }
        : { kind: row.kind, ...presentThingAsOf(row, page.users) },
    ),
    page: { nextCursor: page.next ? issue(page.next) : null },
  };
}
