import type { PartitionedIndexSpec } from '../db/migration-lib/partitioned-index';
import { HISTORY_TABLE } from './captured-table';

/*
 * Indexes that serve a campaign's activity when it is filtered. The
 * campaign index (campaign_id, at, id) serves the unfiltered pages; a filter
 * that matches few of a big campaign's entries would read most of them
 * through it. Each of these leads with what is filtered on, then the page
 * order, so a page reads its 51 entries and stops:
 *   kind   a kind alone;
 *   actor  an actor, per kind: actor + kind reads one ordered scan, an
 *          actor alone one per kind, merged.
 */

const PAGE_ORDER = [
  { column: 'at', descending: true },
  { column: 'id', descending: true },
] as const;

export const ACTIVITY_BY_KIND_INDEX: PartitionedIndexSpec = {
  name: `${HISTORY_TABLE}_kind_idx`,
  table: HISTORY_TABLE,
  keys: [{ column: 'campaign_id' }, { column: 'table_name' }, ...PAGE_ORDER],
};

export const ACTIVITY_BY_ACTOR_INDEX: PartitionedIndexSpec = {
  name: `${HISTORY_TABLE}_actor_idx`,
  table: HISTORY_TABLE,
  keys: [
    { column: 'campaign_id' },
    { column: 'actor_id' },
    { column: 'table_name' },
    ...PAGE_ORDER,
  ],
};
