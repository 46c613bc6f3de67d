import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { jsonClient } from '../../support/api-client';
import { useFixtureDatabase, type CampaignFixture } from '../../support/campaign-fixture';

// Two users edit the same row at once, twenty times over a real port. The
// row lock orders the changes; the history must keep that order: each
// update's `from` is the `to` of the update listed before it, and the newest
// entry is what the row holds. With `at` the transaction's start, a
// transaction that began first but got the lock second was listed first.

const EDITS = 20;

interface ApiEntry {
  id: string;
  at: string;
  action: string;
  kind?: string;
  targetId?: number;
  changes: Record<string, { from: unknown; to: unknown }>;
}

describe('History order under overlapping edits', () => {
  const db = useFixtureDatabase();
  let server: Server | undefined;
  let f: CampaignFixture;
  let call: ReturnType<typeof jsonClient>;

  beforeEach(async () => {
    f = db.fixture;
    server = f.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server!.once('listening', resolve));
    call = jsonClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /** Every entry of `url`, oldest first, page by page. */
  async function allPages(url: string): Promise<ApiEntry[]> {
    const entries: ApiEntry[] = [];
    let cursor: string | null = null;
    do {
      const sep = url.includes('?') ? '&' : '?';
      const page = await call(
        'GET',
        `${url}${sep}limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        undefined,
        f.owner.token,
      );
      expect(page.status, JSON.stringify(page.body)).to.equal(200);
      entries.push(...(page.body.data as ApiEntry[]));
      cursor = page.body.page.nextCursor as string | null;
    } while (cursor);
    return entries.reverse();
  }

  /** Twenty PATCHes of `path`'s name, alternating the owner and the GM, all sent at once. */
  async function overlappingRenames(path: string): Promise<void> {
    const results = await Promise.all(
      Array.from({ length: EDITS }, (_, i) =>
        call('PATCH', path, { name: `name ${i}` }, (i % 2 ? f.gm : f.owner).token),
      ),
    );
    expect(results.map((r) => r.status)).to.deep.equal(Array(EDITS).fill(200));
  }

  /** The name changes chain: each `from` is the previous `to`; the last `to` is `current`. */
  function expectChained(updates: ApiEntry[], current: string): void {
    const names = updates.filter((e) => e.changes.name).map((e) => e.changes.name!);
    expect(names).to.have.length(EDITS);
    const broken = names.slice(1).filter((change, i) => change.from !== names[i]!.to);
    expect(broken, 'updates whose from is not the previous to').to.deep.equal([]);
    expect(names.at(-1)!.to, 'the newest entry is what the row holds').to.equal(current);
  }

  async function currentName(table: string, id: number): Promise<string> {
    const [rows] = await db.current.sequelize.query(`SELECT name FROM ${table} WHERE id = $1`, {
      bind: [id],
    });
    return (rows as Array<{ name: string }>)[0]!.name;
  }

  it('when two users rename one item twenty times at once, its history chains every change in the order applied and ends at the row', async () => {
    const item = await call(
      'POST',
      '/api/items',
      { campaignId: f.campaignId, name: 'start' },
      f.owner.token,
    );
    expect(item.status).to.equal(201);
    await overlappingRenames(`/api/items/${item.body.id}`);

    const history = await allPages(`/api/items/${item.body.id}/history`);
    expectChained(
      history.filter((e) => e.action === 'update'),
      await currentName('items', item.body.id),
    );
  });

  it('when two users rename the campaign twenty times at once, its history chains every change and ends at the row', async () => {
    await overlappingRenames(`/api/campaigns/${f.campaignId}`);

    const history = await allPages(`/api/campaigns/${f.campaignId}/history`);
    expectChained(
      history.filter((e) => e.action === 'update'),
      await currentName('campaigns', f.campaignId),
    );
  });

  it("when two users rename one location twenty times at once, the campaign's activity lists its changes in the order applied", async () => {
    const location = await call(
      'POST',
      '/api/locations',
      { campaignId: f.campaignId, name: 'start' },
      f.owner.token,
    );
    expect(location.status).to.equal(201);
    await overlappingRenames(`/api/locations/${location.body.id}`);

    const activity = await allPages(`/api/campaigns/${f.campaignId}/activity`);
    expectChained(
      activity.filter(
        (e) => e.kind === 'location' && e.targetId === location.body.id && e.action === 'update',
      ),
      await currentName('locations', location.body.id),
    );
  });
});
