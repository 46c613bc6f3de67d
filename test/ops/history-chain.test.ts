import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ensurePartitions } from '../support/history-entries';
import { appCommand, type CommandResult } from '../support/run-command';
import { useTestDatabase } from '../support/test-database';

const verify = (url: string, ...args: string[]) =>
  appCommand('app/cli/history-verify.ts', url, ...args);
const seal = (url: string, ...args: string[]) =>
  appCommand('app/cli/history-seal.ts', url, ...args);
const prune = (url: string, ...args: string[]) =>
  appCommand('app/cli/history-prune.ts', url, ...args);

/** An item with a campaign, changed `edits` times through SQL (the capture trigger writes the entries). */
async function editedItem(sequelize: Sequelize, edits: number, name = 'lamp'): Promise<number> {
  const [campaign] = await sequelize.query<{ id: number }>(
    `INSERT INTO campaigns (name, created_at, updated_at) VALUES ('chain', now(), now()) RETURNING id`,
    { type: QueryTypes.SELECT },
  );
  const [item] = await sequelize.query<{ id: number }>(
    `INSERT INTO items (name, campaign_id, created_at, updated_at) VALUES ($1, $2, now(), now()) RETURNING id`,
    { bind: [name, campaign!.id], type: QueryTypes.SELECT },
  );
  for (let i = 1; i <= edits; i++) {
    await sequelize.query(`UPDATE items SET name = $2 WHERE id = $1`, {
      bind: [item!.id, `${name} ${i}`],
    });
  }
  return item!.id;
}

/** A row's entries in chain order, by a fresh query. */
function rowEntries(sequelize: Sequelize, table: string, rowId: number) {
  return sequelize.query<{ id: string; at: string; hashed: boolean }>(
    `SELECT id::text, at::text, hash IS NOT NULL AS hashed FROM history_entries
      WHERE table_name = $1 AND row_id = $2 ORDER BY at, id`,
    { bind: [table, rowId], type: QueryTypes.SELECT },
  );
}

/** Entries of one row at the given times, written by hand (the chain's trigger links them). */
async function entriesAt(sequelize: Sequelize, rowId: number, times: string[]): Promise<void> {
  for (const at of times) {
    await sequelize.query(
      `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
       VALUES ($1::timestamptz, 'characters', $2, 1, 'update',
               jsonb_build_object('name', jsonb_build_object('from', 'a', 'to', $3::text)))`,
      { bind: [at, rowId, at] },
    );
  }
}

function expectTampering(result: CommandResult, ...texts: string[]): void {
  expect(result.code, result.stdout + result.stderr).to.equal(1);
  for (const text of texts) expect(result.stdout).to.include(text);
}

function keptFile(stdout: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gma-digests-')), 'digests.txt');
  fs.writeFileSync(file, stdout);
  return file;
}

describe('the history chain: db:history-seal and db:history-verify', () => {
  const db = useTestDatabase('latest');

  it('when nothing was touched, exits 0, says the history is intact and reports a rate in entries per second', async () => {
    await editedItem(db.current.sequelize, 3);
    const result = await verify(db.current.url);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.include('The history is intact.');
    expect(result.stderr).to.match(/Checked \d+ entries of \d+ rows .* \d+ entries\/s/);
  });

  it('when an entry is changed by a hand-written UPDATE history_entries, exits 1 naming that entry', async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 3);
    const entries = await rowEntries(sequelize, 'items', itemId);
    expect(entries.map((e) => e.hashed)).to.deep.equal([true, true, true, true]);
    const target = entries[2]!;
    await sequelize.query(
      `UPDATE history_entries SET changes = jsonb_set(changes, '{name,to}', '"forged"') WHERE id = $1`,
      { bind: [target.id] },
    );

    const result = await verify(db.current.url);

    expectTampering(
      result,
      `entry ${target.id} (items row ${itemId}`,
      'was changed: its columns no longer give its hash',
      `First: entry ${target.id}`,
    );
  });

  it('when an entry is changed and its hash rewritten to match, exits 1 naming the entry after it', async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 3);
    const entries = await rowEntries(sequelize, 'items', itemId);
    await sequelize.query(
      `UPDATE history_entries h SET changes = '{}',
              hash = gma_history_entry_hash(to_jsonb(h) || '{"changes": {}}', h.at, h.prev_hash)
        WHERE id = $1`,
      { bind: [entries[1]!.id] },
    );
    const result = await verify(db.current.url);
    expectTampering(
      result,
      `entry ${entries[2]!.id} (items row ${itemId}`,
      `does not chain to entry ${entries[1]!.id}`,
    );
  });

  it('when an entry is inserted by hand between two entries of a row, exits 1 naming the inserted entry', async () => {
    const { sequelize } = db.current;
    await entriesAt(sequelize, 77, [
      '2026-11-02T10:00:00Z',
      '2026-11-03T10:00:00Z',
      '2026-11-05T10:00:00Z',
    ]);
    await entriesAt(sequelize, 77, ['2026-11-04T10:00:00Z']);
    const entries = await rowEntries(sequelize, 'characters', 77);
    const inserted = entries[2]!;
    expect(inserted.at).to.match(/^2026-11-04/);

    const result = await verify(db.current.url);

    expectTampering(
      result,
      `entry ${inserted.id} (characters row 77, at 2026-11-04T10:00:00.000000Z`,
      `was inserted: the entry after it chains to entry ${entries[1]!.id}`,
    );
  });

  it('when an entry is deleted from the middle of a row, exits 1 naming the entry that no longer chains', async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 3);
    const entries = await rowEntries(sequelize, 'items', itemId);
    await sequelize.query('DELETE FROM history_entries WHERE id = $1', { bind: [entries[1]!.id] });

    const result = await verify(db.current.url);

    expectTampering(
      result,
      `entry ${entries[2]!.id} (items row ${itemId}`,
      `does not chain to entry ${entries[0]!.id}, the one before it: an entry between them was removed`,
    );
  });

  it("when a row's first entry is deleted and nothing was pruned, exits 1 naming the entry after it", async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 2);
    const entries = await rowEntries(sequelize, 'items', itemId);
    await sequelize.query('DELETE FROM history_entries WHERE id = $1', { bind: [entries[0]!.id] });
    const result = await verify(db.current.url);
    expectTampering(
      result,
      `entry ${entries[1]!.id} (items row ${itemId}`,
      'chains to an earlier entry of its row that is gone',
    );
  });

  it("when the chain's trigger is disabled, db:verify fails naming it, and db:history-verify names the entry written meanwhile without a hash", async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 1);
    await sequelize.query('ALTER TABLE history_entries DISABLE TRIGGER history_entries_chain');
    await sequelize.query(`UPDATE items SET name = 'unchained' WHERE id = $1`, { bind: [itemId] });
    const entries = await rowEntries(sequelize, 'items', itemId);
    expect(entries.map((e) => e.hashed)).to.deep.equal([true, true, false]);

    const checked = await appCommand('app/cli/verify.ts', db.current.url);
    expect(checked.code).to.equal(1);
    expect(checked.stdout).to.include('history chain: trigger history_entries_chain is disabled');
    expectTampering(
      await verify(db.current.url),
      `entry ${entries[2]!.id} (items row ${itemId}`,
      'has no hash although entries before it of its row have one',
    );
  });

  it('when entries were written in sessions of different time zones, verifies them intact', async () => {
    const { sequelize } = db.current;
    const itemId = await editedItem(sequelize, 1);
    for (const zone of ['Asia/Kathmandu', 'America/St_Johns']) {
      const client = new pg.Client({
        connectionString: db.current.url,
        options: `-c TimeZone=${zone}`,
      });
      await client.connect();
      try {
        await client.query(`UPDATE items SET name = $2 WHERE id = $1`, [itemId, zone]);
        await client.query(
          `INSERT INTO history_entries (at, table_name, row_id, action, changes)
           VALUES ('2026-11-20 12:00:00', 'locations', 5, 'update', '{}')`,
        );
      } finally {
        await client.end();
      }
    }
    const entries = await rowEntries(sequelize, 'items', itemId);
    expect(entries).to.have.length(4);
    const result = await verify(db.current.url);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
  });

  it('when two transactions write entries of different rows, the second commits while the first is still open', async () => {
    const { sequelize } = db.current;
    const first = await editedItem(sequelize, 0, 'first');
    const second = await editedItem(sequelize, 0, 'second');
    const open = new pg.Client({ connectionString: db.current.url });
    const other = new pg.Client({ connectionString: db.current.url });
    await Promise.all([open.connect(), other.connect()]);
    try {
      await open.query('BEGIN');
      await open.query(`UPDATE items SET name = 'first edited' WHERE id = $1`, [first]);
      await other.query('BEGIN');
      await other.query(`SET LOCAL lock_timeout = 2000`);
      await other.query(`UPDATE items SET name = 'second edited' WHERE id = $1`, [second]);
      await other.query('COMMIT');
      await open.query('COMMIT');
    } finally {
      await Promise.all([open.end(), other.end()]);
    }
    expect((await rowEntries(sequelize, 'items', first)).map((e) => e.hashed)).to.deep.equal([
      true,
      true,
    ]);
    expect((await rowEntries(sequelize, 'items', second)).map((e) => e.hashed)).to.deep.equal([
      true,
      true,
    ]);
    expect((await verify(db.current.url)).code).to.equal(0);
  });

  it('when sealing, seals only closed months, prints one line per seal, and a second run changes nothing', async () => {
    const { sequelize } = db.current;
    await ensurePartitions(sequelize, '2026-10-01', new Date().toISOString());
    await entriesAt(sequelize, 7, ['2026-10-05T00:00:00Z', '2026-11-05T00:00:00Z']);
    const now = new Date();
    const current = `history_entries_p${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}`;

    const first = await seal(db.current.url);

    expect(first.code, first.stderr).to.equal(0);
    const lines = first.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(
      lines.some((l) =>
        l.startsWith(
          'history_entries_p202610 2026-10-01T00:00:00.000Z 2026-11-01T00:00:00.000Z 1 ',
        ),
      ),
    ).to.equal(true);
    expect(lines.some((l) => l.startsWith('history_entries_p202611 '))).to.equal(true);
    expect(first.stdout).to.not.include(current);
    expect(first.stderr).to.include(`${current}: not sealed, its month is not over`);
    const [count] = await sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM history_seals',
      { type: QueryTypes.SELECT },
    );

    const second = await seal(db.current.url);

    expect(second.code, second.stderr).to.equal(0);
    expect(second.stderr).to.include('history_entries_p202610: sealed before, unchanged');
    expect(second.stdout.split('\n').filter((l) => !l.startsWith('#'))).to.deep.equal(
      first.stdout.split('\n').filter((l) => !l.startsWith('#')),
    );
    const [after] = await sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM history_seals',
      { type: QueryTypes.SELECT },
    );
    expect(after!.n).to.equal(count!.n);
  });

  it('when a sealed partition is rewritten with a consistent chain and its seal updated, only the digests kept outside find it', async () => {
    const { sequelize } = db.current;
    await ensurePartitions(sequelize, '2026-10-01', '2026-11-30');
    await entriesAt(sequelize, 8, ['2026-10-05T00:00:00Z', '2026-10-06T00:00:00Z']);
    const sealed = await seal(db.current.url);
    expect(sealed.code, sealed.stderr).to.equal(0);
    const file = keptFile(sealed.stdout);
    // Someone with database access: rewrites the row's whole chain and the seal.
    await sequelize.query(`ALTER TABLE history_entries DISABLE TRIGGER history_entries_chain`);
    await sequelize.query(
      `UPDATE history_entries SET changes = '{"name": {"from": "a", "to": "forged"}}' WHERE row_id = 8`,
    );
    await sequelize.query(`ALTER TABLE history_entries ENABLE TRIGGER history_entries_chain`);
    for (const entry of await rowEntries(sequelize, 'characters', 8)) {
      await sequelize.query(
        `UPDATE history_entries h SET
           prev_hash = (SELECT p.hash FROM history_entries p WHERE p.row_id = 8 AND p.table_name = 'characters'
                          AND (p.at, p.id) < (h.at, h.id) ORDER BY p.at DESC, p.id DESC LIMIT 1)
         WHERE id = $1`,
        { bind: [entry.id] },
      );
      await sequelize.query(
        `UPDATE history_entries h SET hash = gma_history_entry_hash(to_jsonb(h), h.at, h.prev_hash) WHERE id = $1`,
        { bind: [entry.id] },
      );
    }
    await sequelize.query(
      `UPDATE history_seals s SET digest = (SELECT sha256(string_agg(gma_history_entry_hash(to_jsonb(h), h.at, h.prev_hash), ''::bytea ORDER BY h.at, h.id))
                                              FROM history_entries_p202610 h)
        WHERE partition = 'history_entries_p202610'`,
    );

    const without = await verify(db.current.url);
    expect(without.code, without.stdout + without.stderr).to.equal(0);

    const withKept = await verify(db.current.url, '--digests', file);

    expectTampering(
      withKept,
      'history_entries_p202610 does not match the digest kept outside the database',
      'Tampering found: 0 entries, 1 partition(s). First: history_entries_p202610',
    );
  });

  it('when a sealed partition is changed, db:history-seal refuses to seal it again and keeps the old seal, and verify names it', async () => {
    const { sequelize } = db.current;
    await ensurePartitions(sequelize, '2026-10-01', '2026-11-30');
    await entriesAt(sequelize, 9, ['2026-10-05T00:00:00Z']);
    expect((await seal(db.current.url)).code).to.equal(0);
    await sequelize.query(`DELETE FROM history_entries WHERE row_id = 9`);

    const again = await seal(db.current.url);

    expect(again.code).to.equal(1);
    expect(again.stderr).to.include('history_entries_p202610 no longer matches its seal');
    expectTampering(
      await verify(db.current.url),
      'history_entries_p202610 no longer matches its seal of',
    );
  });

  it('when old partitions are pruned, seals them first, and what remains still verifies, against the kept digests too', async () => {
    const { sequelize } = db.current;
    await ensurePartitions(sequelize, '2026-01-01', new Date().toISOString());
    await entriesAt(sequelize, 11, [
      '2019-05-01T00:00:00Z',
      '2026-01-10T00:00:00Z',
      '2026-02-10T00:00:00Z',
      '2026-03-10T00:00:00Z',
      '2026-04-10T00:00:00Z',
    ]);
    const kept = await seal(db.current.url);
    expect(kept.code, kept.stderr).to.equal(0);
    const file = keptFile(kept.stdout);

    const pruned = await prune(db.current.url, '--before', '2026-03-01');

    expect(pruned.code, pruned.stderr).to.equal(0);
    expect(
      (await rowEntries(sequelize, 'characters', 11)).map((e) => e.at.slice(0, 7)),
    ).to.deep.equal(['2026-03', '2026-04']);
    const result = await verify(db.current.url, '--digests', file);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(pruned.stderr).to.include('sealed history_entries_p202601 (sealed before, unchanged)');
    const resealed = await seal(db.current.url);
    expect(resealed.stdout).to.match(
      /^history_entries_default 2019-05-01T00:00:00.000Z 2026-03-01T00:00:00.000Z 1 [0-9a-f]{64}$/m,
    );
  });

  it('when the digests file is missing or malformed, exits 2 naming the file and the line', async () => {
    const missing = await verify(db.current.url, '--digests', '/nonexistent/digests.txt');
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.include('--digests /nonexistent/digests.txt').and.include('--help');
    const file = keptFile(
      '# seals\nhistory_entries_p202610 2026-10-01T00:00:00.000Z 2026-11-01T00:00:00.000Z 1 nothex\n',
    );
    const malformed = await verify(db.current.url, '--digests', file);
    expect(malformed.code).to.equal(2);
    expect(malformed.stderr).to.include('line 2: "nothex" is not a SHA-256 in hex');
  });

  it('when asked for --help, both commands explain themselves and exit 0', async () => {
    const v = await verify(db.current.url, '--help');
    expect(v.code).to.equal(0);
    expect(v.stdout)
      .to.include('Usage: npm run db:history-verify')
      .and.include('Exit codes: 0 intact, 1 tampering found, 2 usage error');
    const s = await seal(db.current.url, '--help');
    expect(s.code).to.equal(0);
    expect(s.stdout).to.include('Usage: npm run db:history-seal').and.include('closed');
  });
});
