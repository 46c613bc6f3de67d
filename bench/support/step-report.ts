import { writesBySteps, type StepSpan, type TimedWrite } from '../../app/dev/step-timeline';
import { duration, printTable, quantile } from './report';

/** The bound on one write of a writer during a migration step. */
export const STALL_MS = 100;

/**
 * Prints the writer's p99 and max per migration step (each write counted in
 * the step it started in), so a stall shows which step held it up.
 */
export function printStepLatencies(
  who: string,
  steps: readonly StepSpan[],
  writes: readonly TimedWrite[],
): void {
  const rows = writesBySteps(steps, writes);
  const worst = Math.max(0, ...rows.map((row) => Math.max(0, ...row.latencies)));
  console.log(
    `${who}, per migration step (${steps.length} steps; worst write ${duration(worst)}):\n`,
  );
  printTable(
    ['step', 'took', 'writes', 'p99', 'max', `over ${STALL_MS} ms`],
    rows.map((row) => [
      row.name,
      row.ms ? duration(row.ms) : '-',
      row.latencies.length,
      row.latencies.length ? duration(quantile(row.latencies, 0.99)) : '-',
      row.latencies.length ? duration(Math.max(...row.latencies)) : '-',
      row.latencies.filter((ms) => ms > STALL_MS).length,
    ]),
  );
}
