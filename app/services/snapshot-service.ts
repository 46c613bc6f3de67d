import { QueryTypes, type Sequelize } from 'sequelize';
import { snapshotCandidatesSql } from '../history/as-of-sql';
import { historyTableOfKind } from '../history/history-spec';
import { accessCampaign } from './campaign-access';
import { userIdsOf } from './as-of-service';
import { RowsAsOf, type RowAsOf, type UserSummaries } from './rows-as-of';
import type { SnapshotPosition } from './snapshot-cursor';
import type { RowKind } from '../registry';

/** The kinds a snapshot lists, in the order it lists them. */
export const SNAPSHOT_KINDS = [
  'character',
  'item',
  'location',
] as const satisfies readonly RowKind[];
export type SnapshotKind = (typeof SNAPSHOT_KINDS)[number];

export interface SnapshotOptions {
  limit: number;
  kind?: SnapshotKind | undefined;
  cursor?: SnapshotPosition | undefined;
}

/** A page of rows as they were, and the position after which the next starts (null on the last). */
export interface SnapshotPage {
  rows: RowAsOf[];
  users: UserSummaries;
  next: SnapshotPosition | null;
}

/**
 * `GET /api/campaigns/:id/snapshot?at=`: a campaign's characters, items and
 * locations as they were at a time, for its members now. Ordered by kind
 * (characters, items, locations), then id ascending; a page is read as
 * batches of candidates (rows in the campaign now, merged with rows deleted
 * from it since the time, both in id order through indexes), each read back
 * to the time (RowsAsOf), until the page is full.
 */
export class SnapshotService {
  private readonly rows: RowsAsOf;

  constructor(private readonly sequelize: Sequelize) {
    this.rows = new RowsAsOf(sequelize);
  }

  async page(
    campaignId: number,
    userId: number,
    at: string,
    options: SnapshotOptions,
  ): Promise<SnapshotPage> {
    const time = await this.rows.answerable('query.at', at);
    await accessCampaign(campaignId, userId);
    const kinds = options.kind ? [options.kind] : SNAPSHOT_KINDS;
    const start = options.cursor ? kinds.indexOf(options.cursor.kind as SnapshotKind) : 0;
    const found: RowAsOf[] = [];
    // One row more than the page, to learn whether another page follows.
    const wanted = options.limit + 1;
    for (const kind of kinds.slice(Math.max(start, 0))) {
      const table = historyTableOfKind(kind).table;
      let after = options.cursor?.kind === kind ? options.cursor.id : 0;
      while (found.length < wanted) {
        // The candidates leave out rows made since, so nearly all of them are read back as rows.
        const asked = wanted - found.length;
        const candidates = await this.sequelize.query<{ id: number }>(
          snapshotCandidatesSql(table),
          { bind: [campaignId, after, table, time.at, asked], type: QueryTypes.SELECT },
        );
        const ids = candidates.map((candidate) => candidate.id);
        for (const row of await this.rows.read(kind, ids, time)) if (row) found.push(row);
        // Fewer candidates than asked for: this kind has no more.
        if (ids.length < asked) break;
        after = ids[ids.length - 1]!;
      }
      if (found.length >= wanted) break;
    }
    const rows = found.slice(0, options.limit);
    const last = rows[rows.length - 1];
    return {
      rows,
      users: await this.rows.users(userIdsOf(rows)),
      next: found.length > options.limit && last ? { kind: last.kind, id: last.id } : null,
    };
  }
}
