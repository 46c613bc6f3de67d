/** One migration step as its runner logged it: name, start and end (epoch ms). */
export interface StepSpan {
  name: string;
  startedAt: number;
  endedAt: number;
}

/** A write seen from outside: when it started (epoch ms) and how long it took (ms). */
export interface TimedWrite {
  startedAt: number;
  ms: number;
}

/** The writes that started within one step (or between steps), in the order steps ran. */
export interface StepWrites {
  name: string;
  /** How long the step took, ms (0 for the writes between steps). */
  ms: number;
  latencies: number[];
}

/** Writes that started during the run but in no step: start-up, the lock, bookkeeping. */
export const BETWEEN_STEPS = '(between steps: start-up, lock, bookkeeping)';

/** Wall-clock time in ms with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

const LINE = /^== (\S+): (migrating|migrated|reverting|reverted)\b/;

/**
 * The migration runner's own step lines ("== <name>: migrating" and
 * "== <name>: migrated (...)", app/db/migration-runner.ts), timestamped as
 * they arrive: as a log callback in the same process, or fed a child
 * process's stderr chunk by chunk.
 */
export class StepTimeline {
  readonly steps: StepSpan[] = [];
  private readonly open = new Map<string, number>();
  private partial = '';

  /** One log line of the runner; other lines are ignored. */
  readonly line = (text: string, at: number = now()): void => {
    const match = LINE.exec(text.trim());
    if (!match) return;
    const [, name, event] = match as unknown as [string, string, string];
    if (event === 'migrating' || event === 'reverting') {
      this.open.set(name, at);
    } else {
      this.steps.push({ name, startedAt: this.open.get(name) ?? at, endedAt: at });
      this.open.delete(name);
    }
  };

  /** A chunk of a stream of lines (a child's stderr), split into whole lines. */
  readonly chunk = (text: string, at: number = now()): void => {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.line(line, at);
  };
}

/**
 * Attributes each write to the step it started in, by its start time; the
 * writes that started between the first step's start and the last step's
 * end but in no step are gathered last, under BETWEEN_STEPS.
 */
export function writesBySteps(steps: readonly StepSpan[], writes: readonly TimedWrite[]) {
  const sorted = [...steps].sort((a, b) => a.startedAt - b.startedAt);
  const result: StepWrites[] = sorted.map((s) => ({
    name: s.name,
    ms: s.endedAt - s.startedAt,
    latencies: [],
  }));
  const between: StepWrites = { name: BETWEEN_STEPS, ms: 0, latencies: [] };
  const first = sorted[0]?.startedAt ?? Infinity;
  const last = sorted[sorted.length - 1]?.endedAt ?? -Infinity;
  for (const write of writes) {
    if (write.startedAt < first || write.startedAt >= last) continue;
    const index = sorted.findIndex(
      (s) => write.startedAt >= s.startedAt && write.startedAt < s.endedAt,
    );
    (index < 0 ? between : result[index]!).latencies.push(write.ms);
  }
  return [...result, between];
}
