import { expect } from 'chai';
import sinon from 'sinon';
import { QueryTypes } from 'sequelize';
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

  it('when another user saves with fields listing only unchanged fields while another attribute is dirty, then no UPDATE is sent and updated_at and modified_by stay as they were', async () => {
    const loaded = (await Character.findByPk(character.id))!;
    const [before] = await db.current.sequelize.query(
      'SELECT name, description, updated_at, modified_by FROM characters WHERE id = :id',
      { replacements: { id: character.id }, type: QueryTypes.SELECT },
    );
    const updatedAt = loaded.updatedAt.getTime();

    const statements = await statementsOf(() =>
      runAs(other, () => {
        loaded.set('name', 'Lyra the Second'); // dirty, but not listed
        loaded.set('description', 'A bard'); // listed, its own value
        return loaded.save({ fields: ['description'] });
      }),
    );

    expect(statements.filter((sql) => /^\s*UPDATE/i.test(sql))).to.deep.equal([]);
    const [after] = await db.current.sequelize.query(
      'SELECT name, description, updated_at, modified_by FROM characters WHERE id = :id',
      { replacements: { id: character.id }, type: QueryTypes.SELECT },
    );
    expect(after).to.deep.equal(before);
    expect(after).to.include({ name: 'Lyra', modified_by: creator });
    expect(loaded.updatedAt.getTime(), 'the in-memory updated_at').to.equal(updatedAt);
  });

  it('when another user saves with fields listing one changed field while another attribute is dirty, then one UPDATE writes that field alone and stamps that user', async () => {
    const loaded = (await Character.findByPk(character.id))!;

    const statements = await statementsOf(() =>
      runAs(other, () => {
        loaded.set('name', 'Lyra the Second');
        loaded.set('description', 'A bard of Vell');
        return loaded.save({ fields: ['description'] });
      }),
    );

    expect(statements.filter((sql) => /^\s*UPDATE/i.test(sql))).to.have.length(1);
    const [after] = await db.current.sequelize.query(
      'SELECT name, description, modified_by FROM characters WHERE id = :id',
      { replacements: { id: character.id }, type: QueryTypes.SELECT },
    );
    expect(after).to.deep.equal({
      name: 'Lyra',
      description: 'A bard of Vell',
      modified_by: other,
    });
  });

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
