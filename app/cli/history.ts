import { runMain, UsageError } from './run-main';
import { campaignEntries, type StoredEntry } from '../history/campaign-entries';
import { HISTORY_TABLES, historyTableNamed, type HistoryKind } from '../history/history-spec';
import { tableList } from '../registry';
import { historyTableExists } from '../history/partition-catalog';
import { openStableClient } from '../ops/pg-client';
import { parseCommandLine, withDatabase } from './command-line';
import { numericOption } from './numeric-option';
import { MEMBERSHIP_EVENTS } from '../services/membership-events';

const KINDS = HISTORY_TABLES.map((spec) => spec.kind);

const HELP = `
Usage: npm run db:history -- --campaign <id> [--kind <kind>] [--limit <n>] [--json]

Prints a campaign's history, newest first, one entry per line: time, kind
(and table), row id, action, actor id ('unknown' for writes from outside
the app), request id, source, and the changed fields. It reads the history
table directly, so it works for a campaign that has been deleted: its
entries, and those of its ${tableList(HISTORY_TABLES.filter((t) => t.table !== 'campaigns').map((t) => t.table))}
(deleted with it), stay until they are pruned (npm run db:history-prune).
Memberships (kind member) and invitations (kind invitation) are among them:
their source says what happened (${MEMBERSHIP_EVENTS.join(', ')}; see
docs/history.md), and no entry holds a token, password hash or email.

Options:
  --campaign <id>  the campaign's id (required)
  --kind <kind>    only entries of one kind: ${KINDS.join(', ')}
  --limit <n>      at most n entries (default 100)
  --json           one JSON object per line, with the old and new values
  -h, --help       show this help
`;

function positiveInteger(name: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--${name} <id> is required`);
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 2_147_483_647) {
    throw new UsageError(`--${name} takes a positive integer id (got "${value}")`);
  }
  return Number(value);
}

const kindOf = (entry: StoredEntry) => historyTableNamed(entry.table)?.kind ?? entry.table;

function line(entry: StoredEntry): string {
  const kind = kindOf(entry);
  return [
    entry.at.toISOString(),
    `${kind}(${entry.table})`,
    `#${entry.rowId}`,
    entry.action,
    `actor ${entry.actorId ?? 'unknown'}`,
    `request ${entry.requestId ?? '-'}`,
    `source ${entry.source ?? '-'}`,
    `fields ${Object.keys(entry.changes).sort().join(',') || '-'}`,
  ].join('  ');
}

runMain('db:history', async () => {
  const args = parseCommandLine(
    process.argv.slice(2),
    {
      campaign: { type: 'string' },
      kind: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    HELP,
  );
  const campaignId = positiveInteger('campaign', args.campaign);
  const limit = Math.trunc(numericOption('limit', args.limit, 100, 1));
  if (args.kind !== undefined && !KINDS.includes(args.kind as HistoryKind)) {
    throw new UsageError(`--kind takes one of ${KINDS.join(', ')} (got "${args.kind}")`);
  }
  const kind = args.kind as HistoryKind | undefined;
  return withDatabase(async (db) => {
    const client = await openStableClient(db.url, 'gma-history');
    try {
      if (!(await historyTableExists(client))) {
        console.log('There is no history table (its migration has not run): no entries exist.');
        return 0;
      }
      const entries = await campaignEntries(client, {
        campaignId,
        limit,
        ...(kind ? { kind } : {}),
      });
      if (entries.length === 0 && !args.json) {
        console.log(`No history entries for campaign ${campaignId}.`);
      }
      for (const entry of entries) {
        console.log(
          args.json
            ? JSON.stringify({ ...entry, kind: kindOf(entry), at: entry.at.toISOString() })
            : line(entry),
        );
      }
      return 0;
    } finally {
      await client.end();
    }
  });
});
