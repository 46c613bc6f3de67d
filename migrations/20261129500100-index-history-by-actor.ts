// A campaign's activity filtered by actor (?actor=12), alone or with a kind,
// read its entries through the campaign index and checked the actor on
// each: up to the whole campaign for an actor who did little there. This
// index, (campaign_id, actor_id, table_name, at, id), reads an actor's
// pages one ordered scan per kind. Built online like the kind index.
// Down: drops it.
import { ACTIVITY_BY_ACTOR_INDEX } from '../app/history/activity-indexes';
import { activityIndexMigration } from '../app/history/activity-index-steps';

export const { meta, up, down } = activityIndexMigration(ACTIVITY_BY_ACTOR_INDEX);
