import { expect } from 'chai';
import sinon from 'sinon';
import { runAs } from '../../app/context';
import { Character } from '../../models';
import { createAuditFixture, storedAudit, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

describe('Audit fields: no phantom modifications', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let character: Character;
  let creator: number, other: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 3);
    [creator, other] = fixture.users as [number, number];
    character = await runAs(creator, () =>
      Character.create({
        name: 'Lyra',
        description: 'A bard',
        campaignId: fixture.campaignId,
        playerOwnerId: fixture.users[2]!,
      }),
    );
  });
  afterEach(() => sinon.restore());

  /** The SQL statements `fn` sends, seen through a spy on sequelize.query. */
  async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const spy = sinon.spy(db.current.sequelize, 'query');
    await fn();
    spy.restore();
    // Sequelize passes either the SQL or { query, bind }.
    return spy.getCalls().map((call) => {
      const sql = call.args[0] as string | { query: string };
      return typeof sql === 'string' ? sql : sql.query;
    });
  }

  const noOps: Array<{ path: string; run: (c: Character) => Promise<unknown> }> = [
    { path: 'save() with nothing changed', run: (c) => c.save() },
    {
      path: 'update() with the same values',
      run: (c) => c.update({ name: 'Lyra', description: 'A bard' }),
    },
    {
      path: 'save({ fields }) of a field set to its own value',
      run: (c) => {
        c.set('description', 'A bard');
        return c.save({ fields: ['description'] });
      },
    },
    {
      path: 'update() naming only modifiedBy as the acting user',
      run: (c) => c.update({ modifiedBy: other }),
    },
  ];
  for (const { path, run } of noOps) {
    it(`when another user runs ${path}, then no UPDATE is sent and modified_by stays the creator`, async () => {
      const loaded = (await Character.findByPk(character.id))!;

      const statements = await statementsOf(() => runAs(other, () => run(loaded)));

      expect(statements.filter((sql) => /^\s*UPDATE/i.test(sql))).to.deep.equal([]);
      expect(await storedAudit(db.current.sequelize, 'characters', character.id)).to.deep.equal({
        created_by: creator,
        modified_by: creator,
      });
    });
  }

  it('when another user then makes a real change on the same instance, then one UPDATE stamps that user', async () => {
    const loaded = (await Character.findByPk(character.id))!;
    await runAs(other, () => loaded.save());

    const statements = await statementsOf(() =>
      runAs(other, () => loaded.update({ description: 'A bard of Vell' })),
    );

    expect(statements.filter((sql) => /^\s*UPDATE/i.test(sql))).to.have.length(1);
    expect(await storedAudit(db.current.sequelize, 'characters', character.id)).to.deep.equal({
      created_by: creator,
      modified_by: other,
    });
  });

  it('when a save writes nothing, then it needs no actor either', async () => {
    const loaded = (await Character.findByPk(character.id))!;
    const statements = await statementsOf(() => loaded.save());
    expect(statements.filter((sql) => /^\s*UPDATE/i.test(sql))).to.deep.equal([]);
  });
});
