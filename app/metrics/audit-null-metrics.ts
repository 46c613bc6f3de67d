import { Gauge, type Registry } from 'prom-client';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AUDITED_TABLE_NAMES } from '../audit/audit-spec';
import { AUDIT_COLUMNS } from '../registry';

/**
 * `gma_audit_null_fraction{table,column}`: the share of rows whose audit
 * field is NULL, read from the planner's statistics (pg_stats.null_frac, as
 * of the last ANALYZE or autovacuum analyze), so a scrape costs one catalog
 * query and never a table scan; `gma_audit_stats_age_seconds{table}` says
 * how old those statistics are. No sample: never analysed, or no column yet.
 */
export function auditNullMetrics(registry: Registry, sequelize: Sequelize): void {
  const nullFraction = new Gauge({
    name: 'gma_audit_null_fraction',
    help: 'Fraction of rows whose audit field is NULL, from planner statistics (refreshed by ANALYZE)',
    labelNames: ['table', 'column'] as const,
    registers: [registry],
    // Every worker reads the same statistics: a cluster shows one reading, not their sum.
    aggregator: 'first',
    async collect() {
      this.reset();
      const rows = await sequelize
        .query<{ table: string; column: string; fraction: number }>(
          `SELECT tablename AS table, attname AS column, null_frac::float8 AS fraction
             FROM pg_stats
            WHERE schemaname = current_schema() AND tablename IN (:tables) AND attname IN (:columns)`,
          {
            replacements: { tables: [...AUDITED_TABLE_NAMES], columns: [...AUDIT_COLUMNS] },
            type: QueryTypes.SELECT,
          },
        )
        // A scrape must answer even when the database does not: no sample then.
        .catch(() => []);
      for (const row of rows)
        nullFraction.set({ table: row.table, column: row.column }, row.fraction);
    },
  });
  const statsAge = new Gauge({
    name: 'gma_audit_stats_age_seconds',
    help: 'Seconds since the statistics behind gma_audit_null_fraction were last refreshed, by table',
    labelNames: ['table'] as const,
    registers: [registry],
    aggregator: 'first',
    async collect() {
      this.reset();
      const rows = await sequelize
        .query<{ table: string; age: number | null }>(
          `SELECT relname AS table,
                  extract(epoch FROM now() - greatest(last_analyze, last_autoanalyze))::float8 AS age
             FROM pg_stat_user_tables
            WHERE schemaname = current_schema() AND relname IN (:tables)`,
          { replacements: { tables: [...AUDITED_TABLE_NAMES] }, type: QueryTypes.SELECT },
        )
        .catch(() => []);
      for (const row of rows) if (row.age !== null) statsAge.set({ table: row.table }, row.age);
    },
  });
}
