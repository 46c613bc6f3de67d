import { z } from 'zod';
import { HISTORY_TABLES } from '../../history/history-spec';
import { CURSOR_PATTERN } from '../../services/signed-cursor';
import { MEMBERSHIP_EVENTS } from '../../services/membership-events';
import { Id, PageQuery, Timestamp, UserSummary, nullable } from './common';

const KINDS = HISTORY_TABLES.map((spec) => spec.kind) as [
  (typeof HISTORY_TABLES)[number]['kind'],
  ...(typeof HISTORY_TABLES)[number]['kind'][],
];

export const HistoryKind = z.enum(KINDS).meta({ id: 'HistoryKind' });

/** What a cursor from `page.nextCursor` was not. */
export const NOT_A_CURSOR = 'is not a cursor this API gave out for this list; use page.nextCursor';

/**
 * An opaque cursor from `page.nextCursor`: only its shape is checked here;
 * its signature, which binds it to its list, is checked by the route.
 */
const Cursor = z.string().regex(CURSOR_PATTERN, NOT_A_CURSOR).meta({
  description:
    'page.nextCursor of the previous page, with the same filters; absent for the first page',
});

const pageQuery = { cursor: Cursor.optional(), limit: PageQuery.limit };

export const HistoryQuery = z.strictObject(pageQuery);

export const ActivityQuery = z.strictObject({
  actor: Id.optional().meta({ description: 'Only entries by this user id' }),
  kind: HistoryKind.optional().meta({ description: 'Only entries of this kind of row' }),
  since: Timestamp.optional().meta({ description: 'Entries at or after this instant' }),
  until: Timestamp.optional().meta({ description: 'Entries strictly before this instant' }),
  ...pageQuery,
});

/** A field's value in a change: what the resource's own field holds, null when absent. */
const FieldValue = z
  .union([z.string(), z.number(), z.boolean(), z.null()])
  .meta({ id: 'FieldValue' });

const historyEntryFields = {
  id: z.string().meta({ description: 'A 64-bit integer, as text' }),
  action: z.enum(['create', 'update', 'delete', 'restore']).meta({
    description: 'restore: a deleted row brought back (every field, from null, like a create)',
  }),
  at: z.iso.datetime().meta({ description: 'UTC, with microseconds' }),
  actor: nullable(UserSummary).meta({
    description: 'null: unknown (a write from outside the app) or a user deleted since',
  }),
  source: z
    .string()
    .nullable()
    .meta({
      description:
        'e.g. http, cli, revert (a revert of revertOf); null when unknown. Memberships and ' +
        `invitations: what happened (${MEMBERSHIP_EVENTS.join(', ')}; see docs/history.md)`,
    }),
  revertOf: z.string().nullable().meta({
    description: 'The id of the entry this update reverted (source revert); null otherwise',
  }),
  changes: z.record(z.string(), z.object({ from: FieldValue, to: FieldValue })).meta({
    description:
      'Changed fields by API name; for create every field with from null, for delete with to null',
  }),
};

const HistoryPageInfo = z
  .object({
    nextCursor: z.string().nullable().meta({ description: 'null on the last page' }),
  })
  .meta({ id: 'HistoryPageInfo' });

export const HistoryEntry = z.object(historyEntryFields).meta({ id: 'HistoryEntry' });

export const HistoryList = z
  .object({ data: z.array(HistoryEntry), page: HistoryPageInfo })
  .meta({ id: 'HistoryList' });

export const ActivityEntry = z
  .object({
    ...historyEntryFields,
    kind: HistoryKind,
    targetId: z.number().int().meta({ description: 'The id of the row the entry is about' }),
    subject: nullable(UserSummary)
      .optional()
      .meta({
        description:
          'Kinds member and invitation only: the member or the invitee; ' +
          'null when unknown or deleted since',
      }),
  })
  .meta({ id: 'ActivityEntry' });

export const ActivityList = z
  .object({ data: z.array(ActivityEntry), page: HistoryPageInfo })
  .meta({ id: 'ActivityList' });
