/** How one check came out: `fail` makes the command exit non-zero, `warn` does not. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of an operator report, with optional detail lines under it. */
export interface CheckResult {
  name: string;
  status: CheckStatus;
  summary: string;
  details?: string[];
}

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** The report as text: one line per check, details indented under it, a verdict at the end. */
export function formatReport(title: string, checks: CheckResult[]): string {
  const lines = [title];
  for (const check of checks) {
    lines.push(`[${MARK[check.status]}] ${check.name}: ${check.summary}`);
    for (const detail of check.details ?? []) lines.push(`         ${detail}`);
  }
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  lines.push(
    failed
      ? `${failed} check(s) failed, ${warned} warning(s).`
      : `All checks passed${warned ? `, ${warned} warning(s)` : ''}.`,
  );
  return lines.join('\n');
}

/** Exit code for a report: 1 when any check failed. */
export function exitCodeOf(checks: CheckResult[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}
