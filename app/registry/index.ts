import { campaignInvitations } from './tables/campaign-invitations';
import { campaignMemberships } from './tables/campaign-memberships';
import { campaigns } from './tables/campaigns';
import { characters } from './tables/characters';
import { items } from './tables/items';
import { locations } from './tables/locations';

/*
 * The one list of audited tables. Each is declared once, in tables/; the
 * audit, the history capture, the models, the tools, the help texts and the
 * docs' lists are read from here. To add one, see docs/audit.md ("Auditing
 * another table").
 */

/** Every audited (and captured) table, in the order their audit migrations were added. */
export const TABLES = [characters, items, locations, campaigns] as const;

/** The API's name for a row's kind, one per declared table. */
export type RowKind = (typeof TABLES)[number]['kind'];

/** The kinds, in declaration order. */
export const ROW_KINDS: readonly RowKind[] = TABLES.map((t) => t.kind);

/** Table names, in declaration order. */
export const TABLE_NAMES: readonly string[] = TABLES.map((t) => t.table);

/**
 * Tables the history captures without auditing them (no audit columns), in
 * the order their capture migrations were added. They are not in TABLES:
 * nothing audit-related (columns, backfills, keys, indexes, metrics,
 * db:verify's audit checks) applies to them.
 */
export const CAPTURED_ONLY = [campaignMemberships, campaignInvitations] as const;

/** Every table the history captures: the audited ones, then those captured only. */
export const CAPTURED_TABLES = [...TABLES, ...CAPTURED_ONLY] as const;

/** The history's name for a row's kind: a RowKind, or the kind of a table captured only. */
export type CapturedKind = (typeof CAPTURED_TABLES)[number]['kind'];

/** The captured kinds, in declaration order. */
export const CAPTURED_KINDS: readonly CapturedKind[] = CAPTURED_TABLES.map((t) => t.kind);

/** "characters, items, locations and campaigns": for help texts and messages. */
export function tableList(names: readonly string[] = TABLE_NAMES): string {
  return names.length < 2
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

export { campaignInvitations, campaignMemberships, campaigns, characters, items, locations };
export * from './table-declaration';
