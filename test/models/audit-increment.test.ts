import { expect } from 'chai';
import { DataTypes, Model, QueryTypes } from 'sequelize';
import { runAs } from '../../app/context';
import { applyAudit, auditAttributes } from '../../models/mixins/audited';
import { AuditFieldError } from '../../models/mixins/audit-errors';
import { createAuditFixture, storedAudit, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

// The audited models have no counter column, so increment/decrement are shown
// on a test-only model that uses the same mixin.
class Tally extends Model {
  declare id: number;
  declare count: number;
}

describe('Audit fields on increment and decrement', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let tallyId: number;

  beforeEach(async () => {
    const { sequelize } = db.current;
    fixture = await createAuditFixture(sequelize, 4);
    await sequelize.query(`CREATE TABLE tallies (
      id serial PRIMARY KEY, count integer NOT NULL DEFAULT 0,
      created_by integer REFERENCES users ON DELETE SET NULL,
      modified_by integer REFERENCES users ON DELETE SET NULL,
      created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
    Tally.init(
      {
        id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true },
        count: DataTypes.INTEGER,
        ...auditAttributes(),
      },
      { sequelize, tableName: 'tallies', underscored: true },
    );
    applyAudit(Tally);
    tallyId = (await runAs(fixture.users[0]!, () => Tally.create({ count: 10 }))).id;
  });

  async function count(): Promise<number> {
    const [row] = await db.current.sequelize.query<{ count: number }>(
      'SELECT count FROM tallies WHERE id = :id',
      { replacements: { id: tallyId }, type: QueryTypes.SELECT },
    );
    return row!.count;
  }

  const cases: Array<{
    path: string;
    writer: number;
    expected: number;
    run: () => Promise<unknown>;
  }> = [
    {
      path: 'Model.increment',
      writer: 1,
      expected: 12,
      run: () => Tally.increment('count', { by: 2, where: { id: tallyId } }),
    },
    {
      path: 'Model.decrement',
      writer: 2,
      expected: 9,
      run: () => Tally.decrement({ count: 1 }, { where: { id: tallyId } }),
    },
    {
      path: 'instance.increment',
      writer: 3,
      expected: 11,
      run: async () => (await Tally.findByPk(tallyId))!.increment('count'),
    },
    {
      path: 'instance.decrement',
      writer: 1,
      expected: 7,
      run: async () => (await Tally.findByPk(tallyId))!.decrement(['count'], { by: 3 }),
    },
  ];
  for (const { path, writer, expected, run } of cases) {
    it(`when ${path} runs as a user, then the counter moves, created_by is kept and modified_by is that user`, async () => {
      await runAs(fixture.users[writer]!, run);

      expect(await count()).to.equal(expected);
      expect(await storedAudit(db.current.sequelize, 'tallies', tallyId)).to.deep.equal({
        created_by: fixture.users[0],
        modified_by: fixture.users[writer],
      });
    });
  }

  it('when increment has no where, then it is refused like upstream and no row changes', async () => {
    let error: unknown;
    await runAs(fixture.users[1]!, () =>
      Tally.increment('count', {} as never).catch((e: unknown) => (error = e)),
    );
    expect((error as Error)?.message).to.include('Missing where');
    expect(await count()).to.equal(10);
  });

  it('when increment names an audit field, then it is refused and nothing changes', async () => {
    await runAs(fixture.users[1]!, async () => {
      let error: unknown;
      await Tally.increment('createdBy', { where: { id: tallyId } }).catch(
        (e: unknown) => (error = e),
      );
      expect(error).to.be.instanceOf(AuditFieldError);
    });
    expect(await storedAudit(db.current.sequelize, 'tallies', tallyId)).to.deep.equal({
      created_by: fixture.users[0],
      modified_by: fixture.users[0],
    });
  });
});
