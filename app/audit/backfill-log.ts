/**
 * Where the backfill notes the values it wrote into audit columns that existed
 * before (items/locations.created_by), so that its rollback reverts exactly
 * those. Created by 20261124100300-create-audit-backfill-log.ts.
 */
export const BACKFILL_LOG_TABLE = 'audit_backfill_log';
