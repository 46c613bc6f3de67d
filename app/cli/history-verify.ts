import fs from 'node:fs';
import { runMain, UsageError } from './run-main';
import { OperatorError } from '../operator-error';
import { historyTableExists } from '../history/partition-catalog';
import { DigestsFileError, parseDigestsFile, type SealLine } from '../history/digests-file';
import { recordedSeals } from '../history/seal';
import { checkChains, describeProblem } from '../history/verify-chain';
import { checkSeals } from '../history/verify-seals';
import { openStableClient } from '../ops/pg-client';
import { parseCommandLine, progress, withDatabase } from './command-line';

const HELP = `
Usage: npm run db:history-verify [-- --digests <file>]

Recomputes the history's hash chains and the digests of its sealed
partitions, and names the first entry that was changed, inserted or
removed, or the partition whose digest no longer matches.

Every entry carries the hash of its columns and the hash of the entry
before it of the same row; each row's chain is checked entry by entry
(entries written before the chain existed have no hash: a row's chain
starts at its first hashed entry). Each partition sealed by
db:history-seal is hashed again and compared with its seal; with
--digests, also with the digests kept outside the database.

Options:
  --digests <file>  what npm run db:history-seal printed, kept outside the
                    database: one line per seal,
                    <partition> <starts> <ends> <entries> <sha256 in hex>;
                    lines starting with # are ignored
  -h, --help        show this help

Exit codes: 0 intact, 1 tampering found, 2 usage error (an unreadable or
malformed digests file). Progress and the rate, in entries per second, go
to stderr; findings to stdout.

Examples:
  npm run db:history-verify
  npm run db:history-verify -- --digests digests-2026-12-01.txt
`;

const MAX_LISTED = 20;

function readDigests(file: string | undefined): SealLine[] | null {
  if (file === undefined) return null;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--digests ${file}: ${(error as Error).message}`);
  }
  try {
    return parseDigestsFile(text);
  } catch (error) {
    if (error instanceof DigestsFileError)
      throw new UsageError(`--digests ${file}: ${error.message}`);
    throw error;
  }
}

runMain('db:history-verify', async () => {
  const args = parseCommandLine(process.argv.slice(2), { digests: { type: 'string' } }, HELP);
  const kept = readDigests(args.digests);
  return withDatabase(async (db) => {
    const client = await openStableClient(db.url, 'gma-history-verify');
    try {
      if (!(await historyTableExists(client))) {
        throw new OperatorError('there is no history table; run npm run db:migrate first');
      }
      const started = process.hrtime.bigint();
      const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
      const rate = (n: number) => Math.round(n / Math.max(seconds(), 1e-6));
      const recorded = await recordedSeals(client);
      const pruned = recorded.filter((seal) => seal.prunedAt !== null);
      const prunedSince = pruned.length
        ? new Date(Math.min(...pruned.map((seal) => seal.starts.getTime())))
        : null;
      let reported = 0;
      const chains = await checkChains(client, prunedSince, (checked, total) => {
        if (seconds() - reported < 2 && checked < total) return;
        reported = seconds();
        progress(`chains: ${checked} of ${total} entries checked (${rate(checked)} entries/s)`);
      });
      const chainSeconds = seconds();
      const seals = await checkSeals(client, recorded, kept, progress);
      const tampering = seals.findings.filter((f) => f.tampering);
      const problems = chains.problems;
      for (const problem of problems.slice(0, MAX_LISTED)) console.log(describeProblem(problem));
      if (problems.length > MAX_LISTED) {
        console.log(`... and ${problems.length - MAX_LISTED} more entries`);
      }
      for (const finding of seals.findings) {
        console.log(finding.tampering ? finding.message : `note: ${finding.message}`);
      }
      const total = chains.entries + seals.entries;
      progress(
        `Checked ${chains.entries} entries of ${chains.rows} rows (${chains.hashed} hashed, ` +
          `${chains.entries - chains.hashed} from before the chain) in ${chainSeconds.toFixed(1)} s: ` +
          `${Math.round(chains.entries / Math.max(chainSeconds, 1e-6))} entries/s; ` +
          `${seals.partitions} sealed partition(s) (${seals.entries} entries) hashed again` +
          `${kept ? `, ${kept.length} kept digest(s) compared` : ''}; ` +
          `${total} entries in ${seconds().toFixed(1)} s: ${rate(total)} entries/s overall.`,
      );
      if (problems.length === 0 && tampering.length === 0) {
        console.log('The history is intact.');
        return 0;
      }
      const first = problems[0] ? describeProblem(problems[0]) : tampering[0]!.message;
      console.log(
        `Tampering found: ${problems.length} entr${problems.length === 1 ? 'y' : 'ies'}, ` +
          `${tampering.length} partition(s). First: ${first}`,
      );
      return 1;
    } finally {
      await client.end();
    }
  });
});
