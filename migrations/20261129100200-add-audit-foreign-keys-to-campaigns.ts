// Foreign keys from campaigns.created_by and modified_by to users, ON DELETE
// SET NULL (deleting a user never deletes a campaign). NOT VALID, then
// VALIDATE, so writers continue during the scan; a re-run skips what is done.
// Down: drops them.
import { auditForeignKeysMigration } from '../app/audit/migration-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = auditForeignKeysMigration(campaigns);
