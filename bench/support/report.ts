import os from 'node:os';

/** Prints rows as an aligned Markdown table, so it can be pasted into RESULTS.md as is. */
export function printTable(headers: string[], rows: Array<Array<string | number>>): void {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(cells[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
  console.log('');
}

/** One line about the machine and its load, to print next to the figures. */
export function machineLine(pgVersion: string): string {
  const [one, five] = os.loadavg();
  return (
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? '?'}), ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB RAM; load ${one!.toFixed(2)} / ${five!.toFixed(2)} ` +
    `(1/5 min); ${pgVersion.split(',')[0]}`
  );
}

/** Milliseconds since `started` (from process.hrtime.bigint()). */
export function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

/** The q-quantile (0..1) of numbers, nearest rank. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Seconds with one decimal, or milliseconds below a second. */
export function duration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`;
}

/** Reads a whole-number option from the environment, e.g. BENCH_ROWS. */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${name} must be a whole number above 0 (got "${raw}")`);
  }
  return n;
}
