import { expect } from 'chai';
import { DataTypes, QueryTypes } from 'sequelize';
import { queryInterfaceIn } from '../../app/db/transactional-step';
import { useTestDatabase } from '../support/test-database';

describe("The runner's transaction around a transactional migration", () => {
  const db = useTestDatabase('latest');

  async function tableExists(name: string): Promise<boolean> {
    const [row] = await db.current.sequelize.query<{ found: boolean }>(
      `SELECT to_regclass(:name) IS NOT NULL AS found`,
      { replacements: { name }, type: QueryTypes.SELECT },
    );
    return row!.found;
  }

  it('when a migration uses queryInterface methods, raw queries and its own sequelize.transaction(), all of it rolls back with the runner transaction', async () => {
    const { sequelize } = db.current;
    const failure = await sequelize
      .transaction(async (transaction) => {
        const queryInterface = queryInterfaceIn(sequelize.getQueryInterface(), transaction);
        // As released migrations write them: no transaction passed here...
        await queryInterface.createTable('scratch_one', { id: DataTypes.INTEGER });
        await queryInterface.addIndex('scratch_one', ['id']);
        await queryInterface.sequelize.query('CREATE TABLE scratch_two (id integer)');
        // ...and their own transaction, which becomes a savepoint.
        await queryInterface.sequelize.transaction(async (own) => {
          await queryInterface.createTable(
            'scratch_three',
            { id: DataTypes.INTEGER },
            {
              transaction: own,
            },
          );
        });
        // The runner's connection sees all three; a fresh one sees none yet.
        expect(await tableExists('scratch_three')).to.equal(false);
        throw new Error('the record failed');
      })
      .then(
        () => undefined,
        (error: Error) => error,
      );

    expect(failure?.message).to.equal('the record failed');
    for (const table of ['scratch_one', 'scratch_two', 'scratch_three']) {
      expect(await tableExists(table), table).to.equal(false);
    }
  });
});
