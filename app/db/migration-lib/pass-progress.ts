import { migrationLog } from './migration-log';
import type { MigrationTuning } from './tuning';

const MIN_BATCH = 50;
const MAX_BATCH = 200_000;

/**
 * The next batch's row count: aims at the tuning's time target (about 50 ms
 * keeps a concurrent writer's worst wait on a locked row near that), growing
 * or shrinking by at most 2x per batch, within fixed bounds.
 */
export function nextBatchSize(size: number, ms: number, tuning: MigrationTuning): number {
  const factor = Math.min(2, Math.max(0.5, tuning.batchTargetMs / Math.max(ms, 1)));
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, Math.round(size * factor)));
}

/** Milliseconds since `started` (a process.hrtime.bigint() reading). */
export const msSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e6;

/** Progress lines of a data pass, at most one a second, and only for runs longer than that. */
export class Progress {
  private readonly started = Date.now();
  private lastLine = this.started;
  private printed = false;

  constructor(
    private readonly label: string,
    private readonly todo: number,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (now - this.lastLine < 1000) return;
    this.lastLine = now;
    this.printed = true;
    const rate = done / ((now - this.started) / 1000);
    const left = rate > 0 ? Math.max(0, (this.todo - done) / rate) : NaN;
    const pct = this.todo ? Math.min(100, (100 * done) / this.todo).toFixed(1) : '100';
    migrationLog(
      `${this.label}: ${done}/${this.todo} rows (${pct}%), ${Math.round(rate)} rows/s, ` +
        `about ${Number.isFinite(left) ? Math.ceil(left) : '?'} s left`,
    );
  }

  finish(done: number): void {
    if (!this.printed) return;
    migrationLog(
      `${this.label}: ${done} rows in ${((Date.now() - this.started) / 1000).toFixed(1)} s`,
    );
  }
}
