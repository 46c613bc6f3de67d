import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { withDataDiscarded } from '../../app/db/migration-lib/kept-rows';
import { migrateDown, migrateUp, migrationStatus } from '../../app/db/migration-runner';
import { useTestDatabase } from '../support/test-database';

// The downs of the restore/revert migrations: they never lose an entry that
// uses what they remove. With a `restore` entry or a `revert_of` value
// present they refuse and change nothing; with --discard-data the values
// go and the restore entries stay, relabelled `create`.

const CHECK = '20261203200000-admit-restore-in-history-actions.ts';
const REVERT_OF = '20261203200100-add-revert-of-to-history-entries.ts';
const CAPTURE = '20261203200200-record-restores-and-reverts-in-history.ts';

async function state(sequelize: Sequelize) {
  const [row] = await sequelize.query<{ check: string; column: boolean; entries: unknown }>(
    `SELECT (SELECT pg_get_constraintdef(oid) FROM pg_constraint
              WHERE conrelid = 'history_entries'::regclass AND conname = 'history_entries_action_check') AS check,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'history_entries'::regclass
                     AND attname = 'revert_of' AND NOT attisdropped) AS column,
            (SELECT jsonb_agg(jsonb_build_object('id', id, 'action', action) ORDER BY id)
               FROM history_entries) AS entries`,
    { type: QueryTypes.SELECT },
  );
  return row!;
}

async function applied(sequelize: Sequelize): Promise<string[]> {
  return (await migrationStatus(sequelize)).executed;
}

describe('Downs of the restore and revert migrations', () => {
  const db = useTestDatabase('latest');

  it('when a restore entry exists, the CHECK down refuses, naming the count, and changes nothing; with --discard-data it keeps the entry as a create', async () => {
    const { sequelize, url } = db.current;
    await sequelize.query(
      `INSERT INTO history_entries (table_name, row_id, action, changes) VALUES ('items', 7, 'restore', '{}')`,
    );
    await migrateDown(sequelize, url, { to: REVERT_OF });
    const before = await state(sequelize);
    const refused = await migrateDown(sequelize, url, { to: CHECK }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.match(/1 row\(s\) would be lost/);
    expect(refused?.message).to.match(/restore/);
    expect(await state(sequelize)).to.deep.equal(before);
    expect(await applied(sequelize)).to.include(CHECK);

    await withDataDiscarded(() => migrateDown(sequelize, url, { to: CHECK }));
    const after = await state(sequelize);
    expect(after.check).to.not.match(/restore/);
    expect(after.entries).to.deep.equal(
      (before.entries as Array<{ id: number; action: string }>).map((e) => ({
        ...e,
        action: e.action === 'restore' ? 'create' : e.action,
      })),
    );
    await migrateUp(sequelize, url);
    expect((await state(sequelize)).check).to.match(/'restore'::text/);
  });

  it('when an entry holds revert_of, the column down refuses and keeps it; with --discard-data the column goes and the entry stays', async () => {
    const { sequelize, url } = db.current;
    await sequelize.query(
      `INSERT INTO history_entries (table_name, row_id, action, changes, revert_of) VALUES ('items', 7, 'update', '{}', 1)`,
    );
    await migrateDown(sequelize, url, { to: CAPTURE });
    const refused = await migrateDown(sequelize, url, { to: REVERT_OF }).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(refused?.message).to.match(/revert_of/);
    const kept = await state(sequelize);
    expect(kept.column).to.equal(true);
    expect(await applied(sequelize)).to.include(REVERT_OF);

    await withDataDiscarded(() => migrateDown(sequelize, url, { to: REVERT_OF }));
    const after = await state(sequelize);
    expect(after.column).to.equal(false);
    expect(after.entries).to.deep.equal(kept.entries);
  });

  it('when nothing uses them, the downs run back to the first capture function and the ups bring restores back', async () => {
    const { sequelize, url } = db.current;
    await migrateDown(sequelize, url, { to: CHECK });
    const refusedInsert = await sequelize
      .query(
        `INSERT INTO history_entries (table_name, row_id, action, changes) VALUES ('items', 7, 'restore', '{}')`,
      )
      .then(
        () => undefined,
        (error: Error) => error,
      );
    expect(refusedInsert?.message).to.match(/history_entries_action_check/);
    await migrateUp(sequelize, url);
    await sequelize.query(
      `INSERT INTO history_entries (table_name, row_id, action, changes, revert_of) VALUES ('items', 7, 'restore', '{}', NULL)`,
    );
  });
});
