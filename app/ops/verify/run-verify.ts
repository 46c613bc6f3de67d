import { listMigrationFiles, MIGRATIONS_DIR } from '../../db/migration-files';
import { readHistory } from '../../db/migration-selection';
import { createMigrator } from '../../db/migrator';
import { createSequelize } from '../../db/sequelize';
import { AUDITED_TABLES, auditedTable } from '../../audit/audit-spec';
import { countOrphans } from '../../audit/references';
import type { CheckResult } from '../check-report';
import { openStableClient } from '../pg-client';
import { countUnfilled, type UnfilledCounts } from './unfilled-rows';
import { checkHistoryCapture, checkHistoryPartitions } from './history-checks';
import { checkHistoryChain } from './chain-check';
import {
  checkAuditColumns,
  checkAuditForeignKeys,
  checkIndexes,
  checkInvalidIndexes,
} from './schema-checks';

/**
 * The post-migration checks, read-only: every migration applied, audit
 * fields filled wherever the rules can fill them, foreign keys present and
 * validated, indexes present and valid, no INVALID index, no orphans, the
 * history captured on every audited table, its partitions made ahead.
 */
export async function runVerify(url: string): Promise<CheckResult[]> {
  const history = createSequelize(url);
  const client = await openStableClient(url, 'gma-verify');
  try {
    const checks: CheckResult[] = [];
    const { executed, pending } = await readHistory(createMigrator(history));
    const files = listMigrationFiles(MIGRATIONS_DIR);
    const unknown = executed.filter((name) => !files.includes(name));
    checks.push(
      pending.length
        ? {
            name: 'migrations',
            status: 'fail',
            summary: `${pending.length} not applied; run npm run db:migrate`,
            details: pending,
          }
        : {
            name: 'migrations',
            status: unknown.length ? 'warn' : 'ok',
            summary:
              `all ${files.length} applied` +
              (unknown.length ? '; some applied ones are not on disk' : ''),
            details: unknown,
          },
    );

    const columns = await checkAuditColumns(client);
    checks.push(columns);
    if (columns.status === 'ok') {
      checks.push(populatedCheck(await countUnfilled(client, AUDITED_TABLES)));
      checks.push(await checkAuditForeignKeys(client));
    }
    checks.push(await checkIndexes(client));
    checks.push(await checkInvalidIndexes(client));

    const orphans = (await countOrphans(client, AUDITED_TABLES)).filter((o) => o.orphans > 0);
    checks.push(
      orphans.length
        ? {
            name: 'orphaned references',
            status: 'fail',
            summary: 'rows point at users or campaigns that do not exist',
            details: orphans.map((o) => `${o.table}.${o.column}: ${o.orphans} row(s)`),
          }
        : { name: 'orphaned references', status: 'ok', summary: 'none' },
    );
    checks.push(await checkHistoryCapture(client));
    checks.push(await checkHistoryPartitions(client));
    checks.push(await checkHistoryChain(client));
    return checks;
  } finally {
    await client.end();
    await history.close();
  }
}

/**
 * Audit fields are populated when no row the rule could fill is NULL without
 * a reason; a modifier the history shows was set to unknown (a write from
 * outside the app, or by a user deleted since) is one.
 */
function populatedCheck(counts: UnfilledCounts[]): CheckResult {
  const unfilled = counts.filter((c) => c.unexplained > 0);
  if (unfilled.length) {
    return {
      name: 'audit fields populated',
      status: 'fail',
      summary:
        'rows the backfill rules can fill are still NULL; run npm run db:migrate again (it resumes)',
      details: unfilled.map((c) => `${c.table}: ${c.unexplained} row(s)`),
    };
  }
  const details = counts.flatMap((c) => {
    const nobody = c.missing - c.unexplained - c.unknownModifier;
    return [
      ...(c.unknownModifier
        ? [
            `${c.table}: ${c.unknownModifier} row(s) with modified_by unknown (last changed outside the app, or by a user deleted since)`,
          ]
        : []),
      ...(nobody > 0
        ? [
            `${c.table}: ${nobody} row(s) stay NULL (${auditedTable(c.table).rule.summary}: nobody known)`,
          ]
        : []),
    ];
  });
  return {
    name: 'audit fields populated',
    status: 'ok',
    summary: details.length
      ? 'wherever the rules can fill them; some rows have no known value'
      : 'on every row',
    details,
  };
}
