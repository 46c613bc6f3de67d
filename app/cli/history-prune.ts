import { runMain, UsageError } from './run-main';
import { OperatorError } from '../operator-error';
import { ensurePartitionsFunctionExists, historyTableExists } from '../history/partition-catalog';
import { planPrune, runPrune, type PrunePlan } from '../history/prune';
import { openStableClient } from '../ops/pg-client';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:history-prune -- --before <date> [--dry-run]

Removes history entries older than <date> by dropping whole monthly
partitions of the history (history_entries_pYYYYMM), never with a DELETE
on the history: the space is freed at once and writers wait at most a few
milliseconds (each DROP asks for its lock with a short lock_timeout and
retries). A partition is dropped when its whole month is before <date>.

A partition straddling <date> is kept whole: the command says how many of
its entries are older than <date>; they go with it once <date> is at or
after its end. Entries older than <date> in the default partition (which
holds only what no monthly partition covered, normally nothing) are
deleted in batches of 1000. Before dropping anything, the partitions for
this month and the next three are made if missing.

Options:
  --before <date>  an ISO date or time (e.g. 2026-01-01, read as UTC),
                   not later than now
  --dry-run        list what would be dropped (partition, range, entries)
                   and change nothing
  -h, --help       show this help

Example:
  npm run db:history-prune -- --before 2026-01-01 --dry-run
  npm run db:history-prune -- --before 2026-01-01
`;

/** A day (UTC) as YYYY-MM-DD: partitions start and end on the first of a month. */
const day = (at: Date) => at.toISOString().slice(0, 10);

function parseBefore(value: string | undefined, now = new Date()): Date {
  if (value === undefined) throw new UsageError('--before <date> is required');
  const before = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(before.getTime())) {
    throw new UsageError(`--before takes an ISO date such as 2026-01-01 (got "${value}")`);
  }
  if (before.getTime() > now.getTime()) {
    throw new UsageError(
      `--before ${value} is later than now: that would remove entries not yet written; ` +
        'give a date in the past',
    );
  }
  return before;
}

function describePlan(plan: PrunePlan, dryRun: boolean): string[] {
  const lines: string[] = [];
  const verb = dryRun ? 'would drop' : 'dropping';
  for (const p of plan.drop) {
    lines.push(`${verb} ${p.name} [${day(p.starts)}, ${day(p.ends)}): ${p.entries} entries`);
  }
  if (plan.drop.length === 0) lines.push(`no partition ends on or before ${day(plan.before)}`);
  const kept = plan.straddling;
  if (kept) {
    lines.push(
      `kept ${kept.name} [${day(kept.starts)}, ${day(kept.ends)}): it straddles the date; ` +
        `${kept.older} of its entries are older than the date and stay until a prune with ` +
        `--before ${day(kept.ends)} or later drops it whole`,
    );
  }
  if (plan.defaultOlder > 0) {
    lines.push(
      `${dryRun ? 'would delete' : 'deleting'} ${plan.defaultOlder} entries older than the date ` +
        'from the default partition (entries no monthly partition covered)',
    );
  }
  return lines;
}

runMain('db:history-prune', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    { before: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    HELP,
  );
  const before = parseBefore(args.before);
  const dryRun = args['dry-run'] === true;
  return withDatabase(async (db) => {
    const client = await openStableClient(db.url, 'gma-history-prune');
    try {
      if (!(await historyTableExists(client))) {
        console.log('There is no history table (its migration has not run): nothing to prune.');
        return 0;
      }
      if (!dryRun && !(await ensurePartitionsFunctionExists(client))) {
        throw new OperatorError(
          'the function that makes history partitions is missing; run npm run db:migrate first',
        );
      }
      const plan = await planPrune(client, before);
      for (const line of describePlan(plan, dryRun)) console.log(line);
      if (dryRun) {
        console.log('Dry run: nothing was changed.');
        return 0;
      }
      const outcome = await runPrune(client, plan, progress);
      const entries = outcome.dropped.reduce((sum, p) => sum + p.entries, 0);
      console.log(
        `Dropped ${outcome.dropped.length} partition(s) (${entries} entries)` +
          (outcome.deletedFromDefault
            ? `, deleted ${outcome.deletedFromDefault} entries from the default partition`
            : '') +
          (outcome.madeAhead ? `; made ${outcome.madeAhead} partition(s) ahead` : '') +
          '.',
      );
      return 0;
    } finally {
      await client.end();
    }
  });
});
