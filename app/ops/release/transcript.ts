/** What one direction of a migration did on the reference database. */
export interface StepTranscript {
  /** Every statement it sent but pure reads, normalized, in order (see normalize-sql.ts). */
  statements: string[];
  /** How the schema changed: catalog lines that appeared and that went (see schema-dump.ts). */
  schema: { added: string[]; removed: string[] };
  /** The error it stopped with, when it failed. */
  error?: string;
}

/** A released migration's behaviour contract: its up and its down on the reference database. */
export interface MigrationTranscript {
  migration: string;
  up: StepTranscript;
  down: StepTranscript;
}

/** One way a replay differs from the record. */
export interface TranscriptMismatch {
  migration: string;
  direction: 'up' | 'down';
  /** A readable unified-style diff: `-` recorded, `+` replayed. */
  diff: string;
}

/** The lines of `expected` and `actual` as a minimal diff (`-` only expected, `+` only actual, `  ` both). */
export function lineDiff(expected: readonly string[], actual: readonly string[]): string[] {
  const n = expected.length;
  const m = actual.length;
  // Longest common subsequence table, from the ends.
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] =
        expected[i] === actual[j]
          ? lcs[i + 1]![j + 1]! + 1
          : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && expected[i] === actual[j]) {
      out.push(`  ${expected[i++]}`);
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      out.push(`- ${expected[i++]}`);
    } else {
      out.push(`+ ${actual[j++]}`);
    }
  }
  return out;
}

/** The changed lines of a diff with up to `context` unchanged lines around each. */
function hunks(diff: string[], context = 2): string {
  const keep = new Set<number>();
  diff.forEach((line, index) => {
    if (line.startsWith('  ')) return;
    for (let k = index - context; k <= index + context; k++) keep.add(k);
  });
  const out: string[] = [];
  let last = -1;
  diff.forEach((line, index) => {
    if (!keep.has(index)) return;
    if (last >= 0 && index > last + 1) out.push('  ...');
    out.push(line);
    last = index;
  });
  return out.join('\n');
}

function stepLines(step: StepTranscript): { statements: string[]; schema: string[] } {
  return {
    statements: [...step.statements, ...(step.error ? [`-- failed: ${step.error}`] : [])],
    schema: [
      ...step.schema.added.map((line) => `added ${line}`),
      ...step.schema.removed.map((line) => `removed ${line}`),
    ],
  };
}

/** Compares one direction; undefined when it matches the record. */
export function compareStep(
  migration: string,
  direction: 'up' | 'down',
  recorded: StepTranscript,
  replayed: StepTranscript,
): TranscriptMismatch | undefined {
  const expected = stepLines(recorded);
  const actual = stepLines(replayed);
  const parts: string[] = [];
  const sql = lineDiff(expected.statements, actual.statements);
  if (sql.some((line) => !line.startsWith('  '))) parts.push(`SQL sent:\n${hunks(sql)}`);
  const schema = lineDiff(expected.schema, actual.schema);
  if (schema.some((line) => !line.startsWith('  '))) {
    parts.push(`Schema change:\n${hunks(schema)}`);
  }
  return parts.length ? { migration, direction, diff: parts.join('\n') } : undefined;
}

/** Every difference between the records and a replay, migration by migration, up then down. */
export function compareTranscripts(
  recorded: readonly MigrationTranscript[],
  replayed: readonly MigrationTranscript[],
): TranscriptMismatch[] {
  const byName = new Map(replayed.map((t) => [t.migration, t]));
  const mismatches: TranscriptMismatch[] = [];
  for (const record of recorded) {
    const replay = byName.get(record.migration);
    if (!replay) {
      mismatches.push({
        migration: record.migration,
        direction: 'up',
        diff: 'not replayed (file gone?)',
      });
      continue;
    }
    for (const direction of ['up', 'down'] as const) {
      const mismatch = compareStep(
        record.migration,
        direction,
        record[direction],
        replay[direction],
      );
      if (mismatch) mismatches.push(mismatch);
    }
  }
  return mismatches;
}

/** A mismatch as an operator reads it: the migration, the direction, the diff. */
export function describeMismatch({ migration, direction, diff }: TranscriptMismatch): string {
  return `${migration} (${direction}) no longer does what it did when released (- recorded, + now):\n${diff}`;
}
