import type { HistoryKind } from '../history/history-spec';
import type { ColumnChanges, HistoryEntry, HistoryPage } from '../services/history-service';
import type { HistoryCursor } from '../services/history-cursor';
import { userSummary } from './presenters';

/*
 * History entries as JSON. The database records every column of a row; a
 * response names only the columns the resource's own presenter shows, by the
 * name it shows them under. Anything else (a column added later, the audit
 * stamps) stays out: what a member cannot read through the row, it cannot
 * read through the row's history either.
 */

/** Per kind, each exposed column and its API field name (as presentCampaign, presentCharacter, presentThing name them). */
export const HISTORY_FIELDS: Record<HistoryKind, Readonly<Record<string, string>>> = {
  campaign: {
    id: 'id',
    name: 'name',
    description: 'description',
    game_system: 'gameSystem',
    owner_id: 'ownerId',
    players_can_create_content: 'playersCanCreateContent',
  },
  character: {
    id: 'id',
    campaign_id: 'campaignId',
    name: 'name',
    description: 'description',
    game_system: 'gameSystem',
    player_owner_id: 'playerOwnerId',
  },
  item: { id: 'id', campaign_id: 'campaignId', name: 'name', description: 'description' },
  location: { id: 'id', campaign_id: 'campaignId', name: 'name', description: 'description' },
  // Memberships and invitations have no resource of their own: what the members
  // list and an invitation show, by id (the user is the entry's `subject`).
  member: { id: 'id', campaign_id: 'campaignId', user_id: 'userId', role: 'role' },
  invitation: {
    id: 'id',
    campaign_id: 'campaignId',
    user_id: 'userId',
    invited_by: 'invitedBy',
    role: 'role',
    expires_at: 'expiresAt',
  },
};

/** `{ field: { from, to } }` in API field names, exposed columns only. */
export function presentChanges(kind: HistoryKind, changes: ColumnChanges) {
  const fields = HISTORY_FIELDS[kind];
  const result: Record<string, { from: unknown; to: unknown }> = {};
  for (const [column, change] of Object.entries(changes)) {
    const field = fields[column];
    if (field) result[field] = { from: change.from ?? null, to: change.to ?? null };
  }
  return result;
}

/** An entry of one row's history. */
export function presentHistoryEntry(entry: HistoryEntry) {
  return {
    id: entry.id,
    action: entry.action,
    at: entry.at,
    actor: userSummary(entry.actor),
    source: entry.source,
    changes: presentChanges(entry.kind, entry.changes),
    revertOf: entry.revertOf,
  };
}

/** An entry of a campaign's activity: also what kind of row, and which. */
export function presentActivityEntry(entry: HistoryEntry) {
  return {
    ...presentHistoryEntry(entry),
    kind: entry.kind,
    targetId: entry.rowId,
    ...(entry.subject === undefined ? {} : { subject: userSummary(entry.subject) }),
  };
}

/** `{ data, page: { nextCursor } }`, the cursor signed for the list it came from. */
export function presentHistoryPage<R>(
  page: HistoryPage,
  present: (entry: HistoryEntry) => R,
  nextCursor: (next: HistoryCursor) => string,
) {
  return {
    data: page.entries.map(present),
    page: { nextCursor: page.next ? nextCursor(page.next) : null },
  };
}
