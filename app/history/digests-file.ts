/*
 * The digests file: what db:history-seal prints on stdout, for the operator
 * to keep outside the database, and what db:history-verify --digests reads.
 * One line per seal:
 *
 *   <partition> <starts> <ends> <entries> <sha256 in hex>
 *
 * with times in UTC (`2026-11-01T00:00:00.000Z`). Lines starting with `#`
 * and blank lines are ignored, so several printouts can be concatenated;
 * a seal listed twice must carry the same digest.
 */

/** One seal: a stretch of the history and the digest of its entries. */
export interface SealLine {
  partition: string;
  starts: Date;
  ends: Date;
  entries: number;
  digest: string;
}

/** The key a seal is known by: its partition and its end. */
export const sealKey = (seal: { partition: string; ends: Date }): string =>
  `${seal.partition} ${seal.ends.toISOString()}`;

/** One seal as a line of the file. */
export function formatSealLine(seal: SealLine): string {
  return [
    seal.partition,
    seal.starts.toISOString(),
    seal.ends.toISOString(),
    seal.entries,
    seal.digest,
  ].join(' ');
}

/** A line of the file that is not a seal; the message names the line. */
export class DigestsFileError extends Error {
  override readonly name = 'DigestsFileError';
}

function parseTime(text: string, line: number, what: string): Date {
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(at.getTime())) {
    throw new DigestsFileError(`line ${line}: ${what} "${text}" is not an ISO time`);
  }
  return at;
}

/** Parses the file's text; throws DigestsFileError naming the first bad line. */
export function parseDigestsFile(text: string): SealLine[] {
  const seals = new Map<string, SealLine & { line: number }>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const fields = trimmed.split(/\s+/);
    if (fields.length !== 5) {
      throw new DigestsFileError(
        `line ${line}: expected "<partition> <starts> <ends> <entries> <sha256>", got ${fields.length} field(s)`,
      );
    }
    const [partition, starts, ends, entries, digest] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (!/^history_entries_\w+$/.test(partition)) {
      throw new DigestsFileError(`line ${line}: "${partition}" is not a history partition`);
    }
    if (!/^\d+$/.test(entries)) {
      throw new DigestsFileError(`line ${line}: entries "${entries}" is not a count`);
    }
    if (!/^[0-9a-f]{64}$/.test(digest)) {
      throw new DigestsFileError(`line ${line}: "${digest}" is not a SHA-256 in hex`);
    }
    const seal = {
      partition,
      starts: parseTime(starts, line, 'starts'),
      ends: parseTime(ends, line, 'ends'),
      entries: Number(entries),
      digest,
      line,
    };
    const earlier = seals.get(sealKey(seal));
    if (earlier && earlier.digest !== digest) {
      throw new DigestsFileError(
        `line ${line}: ${partition} is listed on line ${earlier.line} with another digest`,
      );
    }
    seals.set(sealKey(seal), seal);
  }
  return [...seals.values()].map(({ line: _line, ...seal }) => seal);
}
