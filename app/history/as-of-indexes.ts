import type { PartitionedIndexSpec } from '../db/migration-lib/partitioned-index';
import type { IndexSpec } from '../db/migration-lib/concurrent-index';
import { HISTORY_TABLE } from './captured-table';

/*
 * Indexes that serve a campaign's snapshot (app/history/as-of-sql.ts), which
 * walks its rows in id order:
 *   deletes     a campaign's deletes of one kind, in row order, with the time
 *               to filter on in the index: the rows gone since a time are
 *               found without reading the entries made since;
 *   characters  a campaign's characters in id order (items and locations
 *               have their campaign_id index already).
 */

export const HISTORY_DELETES_INDEX: PartitionedIndexSpec = {
  name: `${HISTORY_TABLE}_deletes_idx`,
  table: HISTORY_TABLE,
  keys: [
    { column: 'campaign_id' },
    { column: 'table_name' },
    { column: 'action' },
    { column: 'row_id' },
    { column: 'at' },
  ],
};

export const CHARACTERS_BY_CAMPAIGN_INDEX: IndexSpec = {
  name: 'characters_campaign_id_id_idx',
  table: 'characters',
  columns: ['campaign_id', 'id'],
};
