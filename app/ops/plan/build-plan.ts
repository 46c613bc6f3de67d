import path from 'node:path';
import { Sequelize } from 'sequelize';
import { loadMigration, migrationMeta, MIGRATIONS_DIR } from '../../db/migration-files';
import { selectMigrations, type MigrationRequest } from '../../db/migration-selection';
import { createMigrator } from '../../db/migrator';
import { createSequelize } from '../../db/sequelize';
import { openStableClient } from '../pg-client';
import { rowNotes } from './row-notes';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';
import { recordStatements, type RecordedStatement } from './sql-recorder';

/** One migration of a plan: the SQL it would send and what that means for the target's rows. */
export interface PlannedStep {
  migration: string;
  direction: 'up' | 'down';
  statements: RecordedStatement[];
  notes: string[];
}

/** What `migrate` or `rollback` would do, step by step; nothing was changed to find out. */
export interface Plan {
  command: string;
  steps: PlannedStep[];
  /** Why the SQL is missing, when it could not be recorded. */
  sqlUnavailable?: string;
}

export type PlanRequest = MigrationRequest;

async function runOn(scratch: ScratchDatabase, name: string, direction: 'up' | 'down') {
  const migration = loadMigration(path.join(MIGRATIONS_DIR, name));
  await migration[direction](scratch.sequelize.getQueryInterface(), Sequelize);
}

/**
 * Plans a migrate or rollback. The SQL is recorded by running the same
 * migration files on a scratch database built to the target's applied
 * state (empty tables, so it is quick); row counts come from read-only
 * queries on the target. The target is never written to.
 */
export async function buildPlan(url: string, request: PlanRequest): Promise<Plan> {
  const history = createSequelize(url);
  const target = await openStableClient(url, 'gma-plan');
  try {
    // The same selection the runner makes, so the plan is what the command runs.
    const { executed: applied, names: selected } = await selectMigrations(
      createMigrator(history),
      request,
    );
    const direction = request.direction;
    const recorded = new Map<string, RecordedStatement[]>(selected.map((n) => [n, []]));
    const plan: Plan = { command: direction === 'up' ? 'migrate' : 'rollback', steps: [] };

    if (selected.length > 0) {
      let scratch: ScratchDatabase | undefined;
      try {
        scratch = await createScratchDatabase(url);
      } catch (error) {
        plan.sqlUnavailable =
          `no scratch database could be created (${(error as Error).message}); ` +
          'the SQL is shown only to a role with CREATEDB';
      }
      if (scratch) {
        try {
          const onScratch = scratch;
          for (const name of applied) await runOn(onScratch, name, 'up');
          for (const name of selected) {
            await recordStatements(
              onScratch.name,
              (s) => recorded.get(name)!.push(s),
              () => runOn(onScratch, name, direction),
            );
          }
        } finally {
          await scratch.drop();
        }
      }
    }
    for (const name of selected) {
      const statements = recorded.get(name)!;
      plan.steps.push({
        migration: name,
        direction,
        statements,
        notes: await rowNotes(target, name, migrationMeta(name), direction),
      });
    }
    return plan;
  } finally {
    await target.end();
    await history.close();
  }
}

/** The plan as text an operator reads top to bottom. */
export function formatPlan(plan: Plan): string {
  const verb = plan.command === 'migrate' ? 'apply' : 'revert';
  if (plan.steps.length === 0) return `Nothing to ${verb}.`;
  const lines = [
    `Plan: ${verb} ${plan.steps.length} migration(s), in this order. Nothing has been changed.`,
  ];
  if (plan.sqlUnavailable) lines.push(`(SQL not shown: ${plan.sqlUnavailable})`);
  for (const step of plan.steps) {
    lines.push('', `== ${step.migration} (${step.direction})`);
    for (const note of step.notes) lines.push(`   -- ${note}`);
    for (const { sql, params } of step.statements) {
      const text = sql.replace(/\s*\n\s*/g, ' ');
      lines.push(
        `   ${text}${text.endsWith(';') ? '' : ';'}${params ? `  -- params: ${JSON.stringify(params)}` : ''}`,
      );
    }
    if (!plan.sqlUnavailable && step.statements.length === 0) {
      lines.push('   (no schema statements)');
    }
  }
  return lines.join('\n');
}
