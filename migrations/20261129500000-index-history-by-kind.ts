// A campaign's activity filtered by kind (?kind=location) read its entries
// through the campaign index and checked the kind on each: up to the whole
// campaign when the kind is rare. This index, (campaign_id, table_name, at,
// id), reads the page and stops. Built online: each monthly partition's
// index CONCURRENTLY, attached to one made ON ONLY the history; writers wait
// only for short catalog locks. Re-runnable after a crash at any point.
// Down: drops it.
import { ACTIVITY_BY_KIND_INDEX } from '../app/history/activity-indexes';
import { activityIndexMigration } from '../app/history/activity-index-steps';

export const { meta, up, down } = activityIndexMigration(ACTIVITY_BY_KIND_INDEX);
