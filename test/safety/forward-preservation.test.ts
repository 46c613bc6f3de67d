import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

/** The columns the audit migration adds; everything else existed before it. */
const ADDED: Record<string, string[]> = {
  characters: ['created_by', 'modified_by'],
  items: ['modified_by'],
  locations: ['modified_by'],
};

/**
 * Per table, the md5 of every row as JSON without the added columns. For
 * items and locations, created_by is shown as it was before the backfill
 * filled it: the audit_backfill_log lists each fill.
 */
async function preExistingData(
  sequelize: Sequelize,
  afterUp: boolean,
): Promise<Record<string, string>> {
  const tables = await sequelize.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables
      WHERE schemaname = 'public' AND tablename NOT IN ('SequelizeMeta', 'audit_backfill_log')
      ORDER BY 1`,
    { type: QueryTypes.SELECT },
  );
  const result: Record<string, string> = {};
  for (const { t } of tables) {
    const added = afterUp ? (ADDED[t] ?? []) : [];
    const unfill =
      afterUp && (t === 'items' || t === 'locations')
        ? `|| jsonb_build_object('created_by', CASE WHEN l.row_id IS NULL THEN r.created_by END)`
        : '';
    const join = unfill
      ? `LEFT JOIN audit_backfill_log l
           ON l.table_name = '${t}' AND l.column_name = 'created_by' AND l.row_id = r.id
          AND l.value = r.created_by`
      : '';
    const [row] = await sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(j, E'\\n' ORDER BY j)), '-') AS line
         FROM (SELECT ((to_jsonb(r) - :added::text[]) ${unfill})::text AS j FROM "${t}" r ${join}) s`,
      { type: QueryTypes.SELECT, replacements: { added: `{${added.join(',')}}` } },
    );
    result[t] = row!.line;
  }
  return result;
}

const AWKWARD = `
  SELECT count(*) || ' ' || md5(string_agg(name || '|' || created_at || '|' || updated_at, ',' ORDER BY id)) AS line
    FROM %TABLE%
   WHERE char_length(name) = 100 OR name ~ '[^[:ascii:]]'
      OR created_at < '1960-01-01' OR updated_at > '2080-01-01'`;

describe('Forward migration data preservation', () => {
  let db: TestDatabase;
  let dataBefore: Record<string, string>;
  let awkwardBefore: string[];
  let fillable: number;
  const saved = process.env.GMA_BACKFILL_FIRST_BATCH;

  before(async () => {
    // Three campaigns share 3000 rows per table: a thousand rows a campaign.
    ({ db } = await createPreAuditDatabase({ rows: 3000, campaigns: 3 }));
    dataBefore = await preExistingData(db.sequelize, false);
    awkwardBefore = await awkward(db.sequelize);
    fillable = await count(
      db.sequelize,
      `SELECT (SELECT count(*) FROM items t JOIN campaigns c ON c.id = t.campaign_id
                WHERE t.created_by IS NULL AND c.owner_id IS NOT NULL)
            + (SELECT count(*) FROM locations t JOIN campaigns c ON c.id = t.campaign_id
                WHERE t.created_by IS NULL AND c.owner_id IS NOT NULL) AS n`,
    );
    process.env.GMA_BACKFILL_FIRST_BATCH = '50';
    await migrateAll(db);
  });
  after(async () => {
    if (saved === undefined) delete process.env.GMA_BACKFILL_FIRST_BATCH;
    else process.env.GMA_BACKFILL_FIRST_BATCH = saved;
    await db?.drop();
  });

  async function awkward(sequelize: Sequelize): Promise<string[]> {
    const lines: string[] = [];
    for (const table of ['characters', 'items', 'locations']) {
      const [row] = await sequelize.query<{ line: string }>(AWKWARD.replace('%TABLE%', table), {
        type: QueryTypes.SELECT,
      });
      lines.push(`${table}: ${row!.line}`);
    }
    return lines;
  }

  it('when migrated up, every pre-existing row and value is unchanged, timestamps included, apart from the created_by fills the backfill log lists', async () => {
    expect(Object.keys(dataBefore)).to.include.members([
      'users',
      'campaigns',
      'characters',
      'items',
    ]);
    expect(await preExistingData(db.sequelize, true)).to.deep.equal(dataBefore);
  });

  it('when migrated up, every item and location that had no creator but a campaign owner got one, each fill listed in the backfill log', async () => {
    const logged = await count(
      db.sequelize,
      "SELECT count(*) AS n FROM audit_backfill_log WHERE table_name IN ('items', 'locations')",
    );
    expect(fillable, 'the data has creators to fill').to.be.above(0);
    expect(logged).to.equal(fillable);
  });

  describe('Edge cases', () => {
    it('when names are at maximum length or non-ASCII and timestamps decades old or in the future, they come through byte for byte', async () => {
      for (const line of awkwardBefore) expect(line).to.not.match(/: 0 /);
      expect(await awkward(db.sequelize)).to.deep.equal(awkwardBefore);
    });

    it('when a campaign holds a thousand rows, its backfill spans many batches and leaves none of its fillable rows NULL', async () => {
      const unfilled = await count(
        db.sequelize,
        `SELECT count(*) AS n FROM characters WHERE created_by IS NULL OR modified_by IS NULL`,
      );
      expect(unfilled).to.equal(0);
      const perCampaign = await count(
        db.sequelize,
        'SELECT max(n) AS n FROM (SELECT count(*) AS n FROM characters GROUP BY campaign_id) s',
      );
      expect(perCampaign).to.be.at.least(1000);
    });
  });
});
