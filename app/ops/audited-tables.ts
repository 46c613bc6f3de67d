/** Tables that gain `created_by` / `modified_by` in the audit migration. */
export const AUDITED_TABLES = ['characters', 'items', 'locations'] as const;
export type AuditedTable = (typeof AUDITED_TABLES)[number];

/** The audit columns each audited table carries once migrated. */
export const AUDIT_COLUMNS = ['created_by', 'modified_by'] as const;

/**
 * The migration's blast radius: the audited tables and the tables their rows
 * reference (users, campaigns), in foreign-key order. Preflight checks that a
 * recent backup holds them (db:backup itself takes every table, see
 * ops/backup/catalog.ts).
 */
export const BACKUP_TABLES = ['users', 'campaigns', ...AUDITED_TABLES] as const;
