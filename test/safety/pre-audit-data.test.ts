import { expect } from 'chai';
import type { TestDatabase } from '../support/test-database';
import { dataFingerprint } from '../support/fingerprint';
import { count, createPreAuditDatabase } from './audit-database';

describe('Edge cases: the pre-audit data generator (app/dev/pre-audit-data.ts)', () => {
  const dbs: TestDatabase[] = [];
  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.drop();
  });

  it('when asked for 1000 rows, fills every table and includes each awkward case the migration must survive', async () => {
    const { db, counts } = await createPreAuditDatabase(1000);
    dbs.push(db);
    const n = (sql: string) => count(db.sequelize, `SELECT count(*) AS n FROM ${sql}`);

    for (const table of ['characters', 'items', 'locations']) {
      expect(await n(table), table).to.equal(1000);
    }
    expect(await n("users WHERE username LIKE 'gen\\_user\\_%'")).to.equal(counts.users);
    expect(await n('campaign_memberships')).to.be.above(0);
    expect(await n('items WHERE created_by IS NULL'), 'NULL created_by').to.be.above(0);
    expect(await n('campaigns WHERE owner_id IS NULL'), 'owner deleted').to.equal(
      counts.orphanedCampaigns,
    );
    const empty = `campaigns c WHERE NOT EXISTS (SELECT 1 FROM characters t WHERE t.campaign_id = c.id)
                     AND NOT EXISTS (SELECT 1 FROM items t WHERE t.campaign_id = c.id)
                     AND NOT EXISTS (SELECT 1 FROM locations t WHERE t.campaign_id = c.id)`;
    expect(await n(empty), 'no content').to.equal(counts.emptyCampaigns);
    expect(await n(`${empty} AND c.owner_id IS NULL`), 'no content, owner deleted').to.be.above(0);
    expect(
      await n(
        'items i JOIN campaigns c ON c.id = i.campaign_id WHERE i.created_by IS NULL AND c.owner_id IS NULL',
      ),
      'nobody known',
    ).to.be.above(0);
    expect(await n('characters WHERE char_length(name) = 100'), 'max-length names').to.be.above(0);
    expect(await n('campaigns WHERE char_length(name) = 200'), 'max-length names').to.be.above(0);
    expect(await n(`characters WHERE name ~ '[^[:ascii:]]'`), 'non-ASCII names').to.be.above(0);
    expect(await n(`items WHERE created_at < '1960-01-01'`), 'decades old').to.be.above(0);
    expect(await n(`locations WHERE updated_at > '2080-01-01'`), 'in the future').to.be.above(0);
  });

  it('when run twice with the same size on two databases, produces identical data', async () => {
    const a = await createPreAuditDatabase(500);
    const b = await createPreAuditDatabase(500);
    dbs.push(a.db, b.db);

    expect(await dataFingerprint(b.db.sequelize)).to.deep.equal(
      await dataFingerprint(a.db.sequelize),
    );
  });
});
