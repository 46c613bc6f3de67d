// Adds campaigns.created_by and campaigns.modified_by, as declared in
// app/registry/tables/campaigns.ts: nullable, no default (catalog only, no
// rewrite), with comments; one short transaction with a short lock_timeout.
// Down: archives the values the backfill would not derive again, then drops
// the columns.
import { auditColumnsMigration } from '../app/audit/migration-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = auditColumnsMigration(campaigns);
