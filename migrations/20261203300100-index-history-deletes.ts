// A campaign's snapshot at a time needs the rows deleted from it since, in
// row order, page by page; through the campaign's indexes that meant reading
// every entry made since the time. This index, (campaign_id, table_name,
// action, row_id, at), reads the deletes of one kind in row order and checks
// the time in the index. Built online: each monthly partition's index
// CONCURRENTLY, attached to one made ON ONLY the history; writers wait only
// for short catalog locks. Re-runnable after a crash at any point.
// Down: drops it.
import { activityIndexMigration } from '../app/history/activity-index-steps';
import { HISTORY_DELETES_INDEX } from '../app/history/as-of-indexes';

export const { meta, up, down } = activityIndexMigration(HISTORY_DELETES_INDEX);
