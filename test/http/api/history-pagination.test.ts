import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { jsonClient, type TestUser } from '../../support/api-client';
import { campaignFixture, type CampaignFixture } from '../../support/campaign-fixture';
import { useTestDatabase } from '../../support/test-database';

// Walking the history page by page over a real port while another client
// keeps writing to the same campaign and row: every entry that existed when
// the walk began is seen exactly once, and the pages run strictly newest
// first. Entries written in one transaction share their instant, so the
// walk also crosses groups of equal `at` that only the id orders.

const LIMIT = 5;

interface Entry {
  id: string;
  at: string;
}

/** (at, id) of a strictly older than (at, id) of b. */
function older(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && BigInt(a.id) < BigInt(b.id));
}

describe('History pagination under concurrent writes', () => {
  const db = useTestDatabase('latest');
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function listen(f: CampaignFixture) {
    server = f.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    return jsonClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  /** Entry ids as stored now, read with a fresh query. */
  async function storedIds(where: string, bind: unknown[]): Promise<string[]> {
    const [rows] = await db.current.sequelize.query(
      `SELECT id::text AS id FROM history_entries WHERE ${where}`,
      { bind },
    );
    return (rows as Array<{ id: string }>).map((r) => r.id);
  }

  /**
   * Walks `url` to its last page; between pages it waits until the writer has
   * finished another write, so every page is read with new entries in place.
   */
  async function walk(
    call: ReturnType<typeof jsonClient>,
    user: TestUser,
    url: string,
    writes: () => number,
  ): Promise<Entry[][]> {
    const pages: Entry[][] = [];
    let cursor: string | null = null;
    do {
      const seen = writes();
      const page = await call(
        'GET',
        `${url}?limit=${LIMIT}${cursor ? `&cursor=${cursor}` : ''}`,
        undefined,
        user.token,
      );
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      pages.push(page.body.data);
      cursor = page.body.page.nextCursor;
      for (let waited = 0; writes() === seen && waited < 5_000; waited += 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    } while (cursor);
    return pages;
  }

  /** Keeps writing (a new item, then an edit of `itemId`) until stopped; counts finished writes. */
  function keepWriting(call: ReturnType<typeof jsonClient>, f: CampaignFixture, itemId: number) {
    let writes = 0;
    let running = true;
    const failures: string[] = [];
    const done = (async () => {
      for (let i = 0; running; i++) {
        const res =
          i % 2 === 0
            ? await call(
                'POST',
                '/api/items',
                { campaignId: f.campaignId, name: `Later ${i}` },
                f.gm.token,
              )
            : await call('PATCH', `/api/items/${itemId}`, { description: `edit ${i}` }, f.gm.token);
        if (res.status >= 300) failures.push(`${res.status} ${JSON.stringify(res.body)}`);
        writes += 1;
      }
    })();
    return {
      writes: () => writes,
      async stop() {
        running = false;
        await done;
        expect(failures).to.deep.equal([]);
        return writes;
      },
    };
  }

  function expectWalk(pages: Entry[][], before: string[]): void {
    const all = pages.flat();
    expect(pages.every((page) => page.length <= LIMIT)).to.equal(true);
    for (let i = 1; i < all.length; i++) {
      expect(
        older(all[i]!, all[i - 1]!),
        `entry ${i} (${all[i]!.id}) follows ${all[i - 1]!.id}`,
      ).to.equal(true);
    }
    const ids = all.map((e) => e.id);
    expect(new Set(ids).size, 'no entry repeated').to.equal(ids.length);
    expect(ids, 'every entry there at the start').to.include.members(before);
  }

  it('when the campaign’s activity is walked page by page while another client writes, no entry is skipped or repeated and the pages are strictly ordered', async function () {
    this.timeout(60_000);
    const f = await campaignFixture(db.current);
    const call = await listen(f);
    const item = await call(
      'POST',
      '/api/items',
      { campaignId: f.campaignId, name: 'Target' },
      f.gm.token,
    );
    for (let i = 0; i < 8; i++) {
      await call(
        'POST',
        '/api/locations',
        { campaignId: f.campaignId, name: `Place ${i}` },
        f.owner.token,
      );
    }
    // Twelve entries of one statement: one instant, ordered by id alone.
    await db.current.sequelize.query(
      `INSERT INTO items (campaign_id, name, description, created_at, updated_at)
       SELECT $1, 'Bulk ' || g, '', now(), now() FROM generate_series(1, 12) g`,
      { bind: [f.campaignId] },
    );
    const before = await storedIds('campaign_id = $1', [f.campaignId]);
    expect(before.length).to.be.above(4 * LIMIT);

    const writer = keepWriting(call, f, item.body.id);
    const pages = await walk(
      call,
      f.player,
      `/api/campaigns/${f.campaignId}/activity`,
      writer.writes,
    );
    const writes = await writer.stop();

    expect(writes, 'writes during the walk').to.be.at.least(pages.length - 1);
    expectWalk(pages, before);
  });

  it('when a row’s history is walked page by page while another client edits the row, no entry is skipped or repeated and the pages are strictly ordered', async function () {
    this.timeout(60_000);
    const f = await campaignFixture(db.current);
    const call = await listen(f);
    const item = await call(
      'POST',
      '/api/items',
      { campaignId: f.campaignId, name: 'Target' },
      f.gm.token,
    );
    for (let i = 0; i < 8; i++) {
      await call(
        'PATCH',
        `/api/items/${item.body.id}`,
        { description: `first ${i}` },
        f.owner.token,
      );
    }
    // Seven updates in one transaction: one instant, ordered by id alone.
    await db.current.sequelize.transaction(async (transaction) => {
      for (let i = 0; i < 7; i++) {
        await db.current.sequelize.query(`UPDATE items SET description = $2 WHERE id = $1`, {
          bind: [item.body.id, `by hand ${i}`],
          transaction,
        });
      }
    });
    const before = await storedIds(`table_name = 'items' AND row_id = $1`, [item.body.id]);
    expect(before.length).to.equal(16);

    const writer = keepWriting(call, f, item.body.id);
    const pages = await walk(call, f.observer, `/api/items/${item.body.id}/history`, writer.writes);
    const writes = await writer.stop();

    expect(writes, 'writes during the walk').to.be.at.least(pages.length - 1);
    expectWalk(pages, before);
  });
});
