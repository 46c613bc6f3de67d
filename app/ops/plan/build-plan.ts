import path from 'node:path';
import type pg from 'pg';
import { Sequelize } from 'sequelize';
import { loadMigration, migrationMeta, MIGRATIONS_DIR } from '../../db/migration-files';
import { selectMigrations, type MigrationRequest } from '../../db/migration-selection';
import { createMigrator } from '../../db/migrator';
import { createSequelize } from '../../db/sequelize';
import { openStableClient } from '../pg-client';
import { withMigrationClient } from '../../db/migration-lib/migration-client';
import { readFillRuns, writeFillRuns } from '../../db/migration-lib/recorded-fills';
import {
  DataLossRefusedError,
  rowCounterOfClient,
  withDataDiscarded,
  withRowCounts,
} from '../../db/migration-lib/kept-rows';
import { rowNotes } from './row-notes';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database';
import { recordStatements, type RecordedStatement } from './sql-recorder';

/** One migration of a plan: the SQL it would send and what that means for the target's rows. */
export interface PlannedStep {
  migration: string;
  direction: 'up' | 'down';
  statements: RecordedStatement[];
  notes: string[];
  /** Why this step would stop the run (a down that refuses to drop rows); the steps after it do not run. */
  refused?: string;
  /** True for a step after a refused one: the run stops before it. */
  notReached?: boolean;
}

/** What `migrate` or `rollback` would do, step by step; nothing was changed to find out. */
export interface Plan {
  command: string;
  steps: PlannedStep[];
  /** Why the SQL is missing, when it could not be recorded. */
  sqlUnavailable?: string;
}

export type PlanRequest = MigrationRequest & {
  /** Plan a rollback run with --discard-data. */
  discardData?: boolean;
};

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
    const refused = new Map<string, string>();

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
          // The scratch's ups ran outside the runner: it takes the target's
          // record of fills (which runs exist), so each down takes its path.
          const runs = await readFillRuns(target);
          await withMigrationClient(onScratch.sequelize.getQueryInterface(), (client) =>
            writeFillRuns(client, runs),
          );
          // The scratch tables are empty: what a down decides from the rows a
          // table holds (keep it aside, drop it, refuse) is decided from the
          // planned database's rows instead, so the SQL is what it will get.
          const decide = <T>(fn: () => Promise<T>) =>
            direction === 'down' ? withRowCounts(rowCounterOfClient(target), fn) : fn();
          const discarding = <T>(fn: () => Promise<T>) =>
            request.discardData ? withDataDiscarded(fn) : fn();
          await discarding(() =>
            decide(async () => {
              for (const name of selected) {
                if (refused.size > 0) break;
                try {
                  await recordStatements(
                    onScratch.name,
                    (s) => recorded.get(name)!.push(s),
                    () => runOn(onScratch, name, direction),
                  );
                } catch (error) {
                  if (!(error instanceof DataLossRefusedError)) throw error;
                  refused.set(name, error.message);
                }
              }
            }),
          );
        } finally {
          await scratch.drop();
        }
      }
    }
    let stopped = false;
    for (const name of selected) {
      const statements = recorded.get(name)!;
      const step: PlannedStep = {
        migration: name,
        direction,
        statements,
        notes: await rowNotes(target, name, migrationMeta(name), direction),
      };
      if (stopped) step.notReached = true;
      step.notes.push(...(await keptAsideNotes(target, statements)));
      const reason = refused.get(name);
      if (reason !== undefined) {
        step.refused = reason;
        stopped = true;
      }
      plan.steps.push(step);
    }
    return plan;
  } finally {
    await target.end();
    await history.close();
  }
}

/** For a down that renames a table aside: how many rows it keeps, and that the re-apply brings them back. */
async function keptAsideNotes(
  target: pg.ClientBase,
  statements: RecordedStatement[],
): Promise<string[]> {
  const notes: string[] = [];
  for (const { sql } of statements) {
    const aside = /^ALTER TABLE "?(\w+)"? RENAME TO "?(\w+_archived)"?$/i.exec(sql.trim());
    if (!aside) continue;
    const rows = await rowCounterOfClient(target)(aside[1]!);
    notes.push(
      `${aside[1]}: ${rows} row(s) kept aside as ${aside[2]}; db:migrate brings them back`,
    );
  }
  return notes;
}

/** The plan as text an operator reads top to bottom. */
export function formatPlan(plan: Plan): string {
  const verb = plan.command === 'migrate' ? 'apply' : 'revert';
  if (plan.steps.length === 0) return `Nothing to ${verb}.`;
  const lines = [
    `Plan: ${verb} ${plan.steps.length} migration(s), in this order. Nothing has been changed.`,
  ];
  if (plan.sqlUnavailable) lines.push(`(SQL not shown: ${plan.sqlUnavailable})`);
  const stop = plan.steps.find((step) => step.refused);
  if (stop) {
    lines.push(
      `The run would stop at ${stop.migration}: its down refuses to drop rows (below); ` +
        'the migrations after it in this list would not be reverted.',
    );
  }
  for (const step of plan.steps) {
    lines.push('', `== ${step.migration} (${step.direction})`);
    if (step.notReached) {
      lines.push('   (not reached: the run stops at the refusal above)');
      continue;
    }
    if (step.refused) lines.push(`   REFUSED: ${step.refused}`);
    for (const note of step.notes) lines.push(`   -- ${note}`);
    for (const { sql, params } of step.statements) {
      const text = sql.replace(/\s*\n\s*/g, ' ');
      lines.push(
        `   ${text}${text.endsWith(';') ? '' : ';'}${params ? `  -- params: ${JSON.stringify(params)}` : ''}`,
      );
    }
    if (!plan.sqlUnavailable && !step.refused && step.statements.length === 0) {
      lines.push('   (no schema statements)');
    }
  }
  return lines.join('\n');
}
