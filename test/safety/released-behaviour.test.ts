import { expect } from 'chai';
import { checkReleased, type ReleaseCheck } from '../../app/ops/release/check-released';
import { normalizeStatement } from '../../app/ops/release/normalize-sql';
import { readTranscripts } from '../../app/ops/release/record-store';
import {
  compareTranscripts,
  describeMismatch,
  type MigrationTranscript,
} from '../../app/ops/release/transcript';
import { serverUrl } from '../support/test-server';

const KEYS_OF_ITEMS = '20261124100800-add-audit-foreign-keys-to-items.ts';
const BACKFILL_OF_ITEMS = '20261124100500-backfill-audit-fields-of-items.ts';

/** A deep copy of the records, so a test can alter one. */
const copyOf = (records: MigrationTranscript[]) =>
  JSON.parse(JSON.stringify(records)) as MigrationTranscript[];

describe('Data integrity: released migrations keep doing what their transcripts record', function () {
  // One replay of every migration, up then down (about 25 s), shared by the tests below.
  this.timeout(180_000);
  let check: ReleaseCheck;
  before(async () => {
    check = await checkReleased(serverUrl());
  });

  it('when every released migration is replayed up then down on a fresh database, each sends the recorded SQL and leaves the recorded schema', () => {
    if (check.mismatches.length > 0) {
      expect.fail(`\n${check.mismatches.map(describeMismatch).join('\n\n')}`);
    }
    expect(check.missing, 'released but deleted').to.deep.equal([]);
    expect(
      check.unreleased.map((t) => t.migration),
      'not released yet',
    ).to.deep.equal([]);
  });

  it('when the replay runs, the backfills find rows and send their batch statements (the reference data is there)', () => {
    const batches = check.replayed
      .get(BACKFILL_OF_ITEMS)!
      .up.statements.filter((sql) => sql.startsWith('WITH source AS'));
    expect(batches).to.have.length.greaterThan(1);
    expect(batches[0]).to.match(/-- params: \[\d+, \d+\]$/);
  });
});

describe('Data integrity: the release guard compares transcripts line by line', () => {
  it('when one recorded statement differs from what the migration sends, the comparison names the migration and direction and shows both lines', () => {
    const records = copyOf(readTranscripts());
    const record = records.find((t) => t.migration === KEYS_OF_ITEMS)!;
    const index = record.up.statements.findIndex((s) => s.includes('ON DELETE SET NULL'));
    expect(index).to.be.at.least(0);
    const sent = record.up.statements[index]!;
    record.up.statements[index] = sent.replace('ON DELETE SET NULL', 'ON DELETE CASCADE');

    const mismatches = compareTranscripts(records, readTranscripts());

    expect(mismatches.map((m) => [m.migration, m.direction])).to.deep.equal([
      [KEYS_OF_ITEMS, 'up'],
    ]);
    const text = describeMismatch(mismatches[0]!);
    expect(text).to.include(`${KEYS_OF_ITEMS} (up)`);
    expect(text).to.include(`- ${record.up.statements[index]}`);
    expect(text).to.include(`+ ${sent}`);
  });

  it('when the schema a down leaves differs from the record, the comparison names the migration and the catalog line', () => {
    const records = copyOf(readTranscripts());
    const record = records.find((t) => t.migration === KEYS_OF_ITEMS)!;
    const removed = record.down.schema.removed.pop()!;

    const mismatches = compareTranscripts(records, readTranscripts());

    expect(mismatches.map((m) => [m.migration, m.direction])).to.deep.equal([
      [KEYS_OF_ITEMS, 'down'],
    ]);
    expect(mismatches[0]!.diff).to.include(`+ removed ${removed}`);
  });

  it('when a statement is normalized, whitespace, the clock and random names go, and every other literal stays', () => {
    const clock = { now: new Date('2026-12-03T09:30:00Z') };
    expect(
      normalizeStatement(
        `INSERT INTO t  (a, at)\n   VALUES ('2026-11-20T00:00:00Z', '2026-12-03 09:31:02.5 +00:00');`,
        undefined,
        clock,
      ),
    ).to.equal(`INSERT INTO t (a, at) VALUES ('2026-11-20T00:00:00Z', '<now>')`);
    expect(
      normalizeStatement(
        `CREATE TABLE history_entries_p202701 PARTITION OF h FOR VALUES FROM ('2027-01-01') TO ('2027-02-01')`,
        undefined,
        clock,
      ),
    ).to.equal(
      `CREATE TABLE history_entries_p<month+1> PARTITION OF h FOR VALUES FROM ('<month+1-01>') TO ('<month+2-01>')`,
    );
    expect(
      normalizeStatement(
        'SAVEPOINT "0b6e1f3c-1d2a-4e5f-8a9b-0c1d2e3f4a5b-sp-1"',
        [1, 'ON DELETE SET NULL'],
        clock,
      ),
    ).to.equal('SAVEPOINT "<uuid>-sp-1" -- params: [1, "ON DELETE SET NULL"]');
  });
});
