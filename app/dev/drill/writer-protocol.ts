/** The tables the drill writes to: every audited table. */
export const DRILL_TABLES = ['characters', 'items', 'locations', 'campaigns'] as const;
export type DrillTable = (typeof DRILL_TABLES)[number];

/**
 * What an UPDATE by the previous version targeted: a row that existed before
 * the migration (among the highest ids, or anywhere), one of its own inserts,
 * or a row the new version created.
 */
export type UpdateTarget = 'update-old-high' | 'update-old' | 'update-own' | 'update-adopted';

/** One write: table, row id, what it was, when it started (epoch ms), how long it took (ms). */
export type WriteRecord = [DrillTable, number, 'insert' | UpdateTarget, number, number];

/** The ids each table held before the previous version's first write. */
export type IdRanges = Record<DrillTable, { min: number; max: number }>;

export type ToWriter = { type: 'adopt'; table: DrillTable; ids: number[] } | { type: 'stop' };

export type FromWriter =
  { type: 'ready'; ranges: IdRanges } | { type: 'result'; writes: WriteRecord[]; errors: string[] };
