import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs } from '../../app/context';
import { HISTORY_ARCHIVE_TABLE, HISTORY_TABLE } from '../../app/history/captured-table';
import { migrateDown, migrateUp } from '../../app/db/migration-runner';
import { bindModels } from '../../models/bind-models';
import { Item } from '../../models';
import { createAuditFixture } from '../support/audit-fixtures';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { FIRST_AUDIT } from './audit-database';

/*
 * Rolling the audit back (to before the history's first migration) keeps the
 * history: the table is renamed aside, and the next up renames it back, with
 * every entry as it was; capture then goes on.
 */
describe('Rollback: the history is kept aside and comes back', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase('latest');
    bindModels(db.sequelize);
  });
  afterEach(() => db?.drop());

  const entries = () =>
    db.sequelize.query<Record<string, unknown>>(`SELECT * FROM ${HISTORY_TABLE} ORDER BY id`, {
      type: QueryTypes.SELECT,
    });
  const exists = async (name: string) =>
    (
      await db.sequelize.query<{ found: boolean }>(
        'SELECT to_regclass(:name) IS NOT NULL AS found',
        {
          type: QueryTypes.SELECT,
          replacements: { name },
        },
      )
    )[0]!.found;

  it('when rolled back past the history with entries in it, the entries wait aside and a re-apply restores every one; capture resumes', async () => {
    const fixture = await createAuditFixture(db.sequelize, 2);
    const item = await runAs(fixture.users[0]!, () =>
      Item.create({ campaignId: fixture.campaignId, name: 'Torch' }),
    );
    await runAs(fixture.users[1]!, () => item.update({ name: 'Lit torch' }));
    const before = await entries();
    expect(before.length).to.be.above(2);

    await migrateDown(db.sequelize, db.url, { to: FIRST_AUDIT });
    expect(await exists(HISTORY_TABLE), 'history table after the down').to.equal(false);
    expect(await exists(HISTORY_ARCHIVE_TABLE), 'archived history').to.equal(true);

    await migrateUp(db.sequelize, db.url);
    expect(await exists(HISTORY_ARCHIVE_TABLE)).to.equal(false);
    expect(await entries()).to.deep.equal(before);

    await runAs(fixture.users[0]!, () => item.update({ name: 'Spent torch' }));
    expect((await entries()).length).to.equal(before.length + 1);
  });

  it('when rolled back with an empty history, the table is dropped and nothing is kept aside', async () => {
    await db.sequelize.query(`TRUNCATE ${HISTORY_TABLE}`);
    await migrateDown(db.sequelize, db.url, { to: FIRST_AUDIT });
    expect(await exists(HISTORY_TABLE)).to.equal(false);
    expect(await exists(HISTORY_ARCHIVE_TABLE)).to.equal(false);
  });
});
