// Indexes on campaigns.created_at, updated_at, created_by and modified_by,
// built CONCURRENTLY (writers continue); an INVALID leftover of a failed
// build is dropped first, so a re-run completes it.
// Down: drops them, concurrently.
import { auditIndexesMigration } from '../app/audit/migration-steps';
import { campaigns } from '../app/registry';

export const { meta, up, down } = auditIndexesMigration(campaigns);
