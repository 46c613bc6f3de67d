import type { Sequelize } from 'sequelize';
import { migrationStatus } from '../../db/migration-runner';
import {
  AUDIT_TOUCHED_TABLES,
  AUDITED_TABLE_NAMES,
  AUDITED_TABLES,
  auditedTable,
} from '../../audit/audit-spec';
import { countBackfill } from '../../audit/backfill-counts';
import { countOrphans } from '../../audit/references';
import type { CheckResult } from '../check-report';
import { openStableClient } from '../pg-client';
import { checkBlockingTransactions } from './blocking-transactions';
import { checkRecentBackup } from './recent-backup';
import { checkTableSizes } from './table-sizes';

export interface PreflightOptions {
  /** Folder holding backup folders (each with a manifest.json). */
  backupRoot: string;
  backupMaxAgeHours: number;
  maxTransactionSeconds: number;
  rowsPerSecond: number;
}

/**
 * The pre-migration checklist, read-only: server and version, pending
 * migrations, orphaned references, transactions that would block DDL, table
 * sizes with an estimate, and a recent backup of the touched tables.
 */
export async function runPreflight(
  url: string,
  sequelize: Sequelize,
  options: PreflightOptions,
): Promise<CheckResult[]> {
  const client = await openStableClient(url, 'gma-preflight');
  try {
    const checks: CheckResult[] = [];
    const { rows } = await client.query<{ version: string; num: number }>(
      `SELECT current_setting('server_version') AS version,
              current_setting('server_version_num')::int AS num`,
    );
    const version = rows[0]!;
    checks.push({
      name: 'database',
      status: version.num >= 130000 ? 'ok' : 'fail',
      summary:
        `reachable, PostgreSQL ${version.version}` +
        (version.num >= 130000 ? '' : '; the migration needs PostgreSQL 13 or newer'),
    });

    const { executed, pending } = await migrationStatus(sequelize);
    checks.push({
      name: 'pending migrations',
      status: 'ok',
      summary: pending.length
        ? `${pending.length} to apply (${executed.length} applied)`
        : `none; all ${executed.length} applied`,
      details: pending,
    });

    const orphans = (await countOrphans(client, AUDITED_TABLES)).filter((o) => o.orphans > 0);
    checks.push(
      orphans.length
        ? {
            name: 'orphaned records',
            status: 'fail',
            summary:
              'rows point at users or campaigns that do not exist; the foreign keys would not ' +
              'validate. Fix or NULL these values first',
            details: orphans.map(
              (o) =>
                `${o.table}.${o.column}: ${o.orphans} row(s) with no ${o.target} row ` +
                `(find them: SELECT id FROM ${o.table} t WHERE ${o.column} IS NOT NULL AND ` +
                `NOT EXISTS (SELECT 1 FROM ${o.target} r WHERE r.id = t.${o.column}))`,
            ),
          }
        : { name: 'orphaned records', status: 'ok', summary: 'none' },
    );

    const unfillable = (await countBackfill(client, AUDITED_TABLES)).filter(
      (c) => c.missing > c.fillable,
    );
    checks.push({
      name: 'rows the backfill cannot fill',
      status: unfillable.length ? 'warn' : 'ok',
      summary: unfillable.length
        ? 'the rules name nobody for these rows; their audit fields will stay NULL'
        : 'none',
      details: unfillable.map(
        (c) =>
          `${c.table}: ${c.missing - c.fillable} row(s) (${auditedTable(c.table).rule.summary})`,
      ),
    });

    checks.push(
      await checkBlockingTransactions(client, AUDIT_TOUCHED_TABLES, options.maxTransactionSeconds),
    );
    checks.push(await checkTableSizes(client, AUDITED_TABLE_NAMES, options.rowsPerSecond));
    checks.push(
      checkRecentBackup(url, options.backupRoot, AUDIT_TOUCHED_TABLES, options.backupMaxAgeHours),
    );
    return checks;
  } finally {
    await client.end();
  }
}
