import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { AUDITED_TABLES, BACKFILL_LOG_TABLE, auditedTable } from '../../app/audit/audit-spec';
import { addedColumns } from '../../app/registry';
import { countWhereSql, ruleCreator } from '../../app/audit/rule-sql';
import type { TestDatabase } from '../support/test-database';
import { count, createPreAuditDatabase, migrateAll } from './audit-database';

/** The columns the audit migrations add to `table`; everything else existed before them. */
function added(table: string): string[] {
  return AUDITED_TABLES.some((spec) => spec.table === table)
    ? addedColumns(auditedTable(table)).map((column) => column.name)
    : [];
}

/** Audited tables whose created_by existed before: the backfill log lists its fills. */
const LOGGED = AUDITED_TABLES.filter((spec) => spec.columns.created_by.existedBefore);

/**
 * Per table, the md5 of every row as JSON without the added columns. Where
 * created_by existed before, it is shown as it was before the backfill
 * filled it: the backfill log lists each fill.
 */
async function preExistingData(
  sequelize: Sequelize,
  afterUp: boolean,
): Promise<Record<string, string>> {
  const tables = await sequelize.query<{ t: string }>(
    `SELECT tablename AS t FROM pg_tables
      WHERE schemaname = 'public' AND tablename NOT IN ('SequelizeMeta', :log)
      ORDER BY 1`,
    { type: QueryTypes.SELECT, replacements: { log: BACKFILL_LOG_TABLE } },
  );
  const result: Record<string, string> = {};
  for (const { t } of tables) {
    const dropped = afterUp ? added(t) : [];
    const unfill =
      afterUp && LOGGED.some((spec) => spec.table === t)
        ? `|| jsonb_build_object('created_by', CASE WHEN l.row_id IS NULL THEN r.created_by END)`
        : '';
    const join = unfill
      ? `LEFT JOIN ${BACKFILL_LOG_TABLE} l
           ON l.table_name = '${t}' AND l.column_name = 'created_by' AND l.row_id = r.id
          AND l.value = r.created_by`
      : '';
    const [row] = await sequelize.query<{ line: string }>(
      `SELECT count(*) || ' rows, md5 ' || coalesce(md5(string_agg(j, E'\\n' ORDER BY j)), '-') AS line
         FROM (SELECT ((to_jsonb(r) - :added::text[]) ${unfill})::text AS j FROM "${t}" r ${join}) s`,
      { type: QueryTypes.SELECT, replacements: { added: `{${dropped.join(',')}}` } },
    );
    result[t] = row!.line;
  }
  return result;
}

const AWKWARD = `
  SELECT count(*) || ' ' || md5(string_agg(name || '|' || created_at || '|' || updated_at, ',' ORDER BY id)) AS line
    FROM %TABLE%
   WHERE char_length(name) = (SELECT character_maximum_length FROM information_schema.columns
                               WHERE table_schema = current_schema() AND table_name = '%TABLE%'
                                 AND column_name = 'name')
      OR name ~ '[^[:ascii:]]'
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
    fillable = 0;
    for (const spec of LOGGED) {
      fillable += await count(
        db.sequelize,
        countWhereSql(spec, `t.created_by IS NULL AND ${ruleCreator(spec)} IS NOT NULL`),
      );
    }
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
    for (const { table } of AUDITED_TABLES) {
      const [row] = await sequelize.query<{ line: string }>(AWKWARD.replaceAll('%TABLE%', table), {
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
    // Tables later migrations create are not pre-existing; none may be missing.
    const after = await preExistingData(db.sequelize, true);
    expect(
      Object.fromEntries(Object.keys(dataBefore).map((table) => [table, after[table]])),
    ).to.deep.equal(dataBefore);
  });

  it('when migrated up, every row whose pre-existing created_by was NULL but the rule names someone got one, each fill listed in the backfill log', async () => {
    const logged = await count(db.sequelize, `SELECT count(*) AS n FROM ${BACKFILL_LOG_TABLE}`);
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
