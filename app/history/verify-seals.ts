import type pg from 'pg';
import { sealKey, type SealLine } from './digests-file';
import { relationExists } from './partition-catalog';
import { computeDigest, type RecordedSeal } from './seal';

/*
 * The seals checked: each recorded seal of a partition still there against
 * the partition's digest recomputed now, and, given the digests the
 * operator kept, each kept digest against the partition (still there) or
 * against the recorded seal (pruned). A kept digest is the only thing here
 * that someone with database access cannot rewrite.
 */

export interface SealFinding {
  partition: string;
  /** Tampering found (true) or something to know (false). */
  tampering: boolean;
  message: string;
}

export interface SealCheck {
  partitions: number;
  entries: number;
  findings: SealFinding[];
}

export async function checkSeals(
  client: pg.ClientBase,
  recorded: readonly RecordedSeal[],
  kept: readonly SealLine[] | null,
  log: (line: string) => void,
): Promise<SealCheck> {
  const check: SealCheck = { partitions: 0, entries: 0, findings: [] };
  const now = new Map<string, { entries: number; digest: string } | null>();
  /** The partition's digest as it is now; null when the partition is gone. */
  const current = async (seal: SealLine) => {
    const key = sealKey(seal);
    if (!now.has(key)) {
      const present =
        !seal.partition.endsWith('_default') && (await relationExists(client, seal.partition));
      const digest = present ? await computeDigest(client, seal.partition) : null;
      if (digest) {
        check.partitions += 1;
        check.entries += digest.entries;
        log(`${seal.partition}: digest recomputed (${digest.entries} entries)`);
      }
      now.set(key, digest);
    }
    return now.get(key)!;
  };
  const byKey = new Map(recorded.map((seal) => [sealKey(seal), seal]));
  for (const seal of recorded) {
    if (seal.prunedAt) continue;
    const digest = await current(seal);
    if (!digest) {
      check.findings.push({
        partition: seal.partition,
        tampering: true,
        message: `${seal.partition}, sealed on ${seal.sealedAt.toISOString()}, is gone and no prune recorded it`,
      });
    } else if (digest.digest !== seal.digest) {
      check.findings.push({
        partition: seal.partition,
        tampering: true,
        message: `${seal.partition} no longer matches its seal of ${seal.sealedAt.toISOString()} (${seal.entries} entries then, ${digest.entries} now)`,
      });
    }
  }
  for (const line of kept ?? []) {
    const seal = byKey.get(sealKey(line));
    const digest = seal?.prunedAt ? null : await current(line);
    if (digest) {
      if (digest.digest !== line.digest) {
        check.findings.push({
          partition: line.partition,
          tampering: true,
          message: `${line.partition} does not match the digest kept outside the database (${line.entries} entries then, ${digest.entries} now)`,
        });
      }
    } else if (!seal) {
      check.findings.push({
        partition: line.partition,
        tampering: true,
        message: `${line.partition}, whose digest was kept, is gone and no seal records it`,
      });
    } else if (!seal.prunedAt) {
      // Already reported above: sealed, not pruned, and gone.
    } else if (seal.digest !== line.digest) {
      check.findings.push({
        partition: line.partition,
        tampering: true,
        message: `the seal of ${line.partition}, pruned on ${seal.prunedAt.toISOString()}, differs from the digest kept outside the database`,
      });
    }
  }
  if (kept) {
    const keptKeys = new Set(kept.map(sealKey));
    for (const seal of recorded) {
      if (!keptKeys.has(sealKey(seal))) {
        check.findings.push({
          partition: seal.partition,
          tampering: false,
          message: `${seal.partition} was sealed (${seal.sealedAt.toISOString()}) but is not in the digests file: checked against its recorded seal only`,
        });
      }
    }
  }
  return check;
}
