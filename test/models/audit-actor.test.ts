import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { runAs, runInContext, setActor } from '../../app/context';
import { Item, User } from '../../models';
import { InvalidAuditUserError, MissingActorError } from '../../models/mixins/audit-errors';
import { createAuditFixture, storedAudit, type AuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

describe('Audit actor: where the acting user comes from', () => {
  const db = useTestDatabase('latest');
  let fixture: AuditFixture;
  let a: number, b: number, c: number;

  beforeEach(async () => {
    fixture = await createAuditFixture(db.current.sequelize, 4);
    [a, b, c] = fixture.users as [number, number, number];
  });

  const newItem = (name: string) => ({ name, campaignId: fixture.campaignId });
  const stored = (id: number) => storedAudit(db.current.sequelize, 'items', id);

  async function itemCount(): Promise<number> {
    const [row] = await db.current.sequelize.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM items',
      { type: QueryTypes.SELECT },
    );
    return row!.n;
  }

  it('when a create passes { user: id } inside another actor’s context, then the explicit user is stored', async () => {
    const item = await runAs(a, () => Item.create(newItem('explicit'), { user: b }));
    expect(await stored(item.id)).to.deep.equal({ created_by: b, modified_by: b });
  });

  it('when an update passes { user: User instance } inside another actor’s context, then that user is the modifier', async () => {
    const item = await runAs(a, () => Item.create(newItem('by instance')));
    const userC = (await User.findByPk(c))!;
    await runAs(b, () => item.update({ description: 'changed' }, { user: userC }));
    expect(await stored(item.id)).to.deep.equal({ created_by: a, modified_by: c });
  });

  it('when Model.update passes { user } with no context at all, then that user is the modifier', async () => {
    const item = await runAs(a, () => Item.create(newItem('bulk explicit')));
    await Item.update({ description: 'changed' }, { where: { id: item.id }, user: c });
    expect(await stored(item.id)).to.deep.equal({ created_by: a, modified_by: c });
  });

  it('when runAs calls are nested, then the inner write is the inner actor’s and the next outer write the outer actor’s', async () => {
    const ids = await runAs(a, async () => {
      const before = await Item.create(newItem('outer before'));
      const inner = await runAs(b, () => Item.create(newItem('inner')));
      const after = await Item.create(newItem('outer after'));
      return [before.id, inner.id, after.id];
    });
    const rows = await Promise.all(ids.map(stored));
    expect(rows.map((r) => r!.created_by)).to.deep.equal([a, b, a]);
  });

  it('when a request context gets its actor from setActor (as authentication does), then later writes carry it', async () => {
    const item = await runInContext({ actor: null, requestId: 'r-1', source: 'http' }, async () => {
      setActor({ userId: c });
      return Item.create(newItem('from a request'));
    });
    expect(await stored(item.id)).to.deep.equal({ created_by: c, modified_by: c });
  });

  describe('strict by default', () => {
    const writes: Array<{ path: string; run: () => Promise<unknown> }> = [
      { path: 'Model.create', run: () => Item.create(newItem('no actor')) },
      { path: 'Model.bulkCreate', run: () => Item.bulkCreate([newItem('no actor')]) },
      { path: 'Model.upsert', run: () => Item.upsert(newItem('no actor')) },
      {
        path: 'Model.update',
        run: () => Item.update({ description: 'x' }, { where: { campaignId: fixture.campaignId } }),
      },
      {
        path: 'instance.save() of a change',
        run: async () => {
          const item = (await Item.findOne({ where: { name: 'existing' } }))!;
          item.description = 'no actor';
          return item.save();
        },
      },
      {
        path: 'Model.increment',
        run: () => Item.increment({ campaignId: 0 }, { where: { name: 'existing' } }),
      },
    ];
    for (const { path, run } of writes) {
      it(`when ${path} runs with no actor, then it throws MissingActorError and writes nothing; under runAs it succeeds`, async () => {
        const existing = await Item.create(newItem('existing'), { user: a });
        const countBefore = await itemCount();

        let error: unknown;
        await run().catch((e: unknown) => (error = e));

        expect(error).to.be.instanceOf(MissingActorError);
        expect((error as Error).message).to.match(/without an acting user.*runAs/);
        expect(await itemCount()).to.equal(countBefore);
        expect(await stored(existing.id)).to.deep.equal({ created_by: a, modified_by: a });
        const [row] = await db.current.sequelize.query<{ description: string }>(
          'SELECT description FROM items WHERE id = :id',
          { replacements: { id: existing.id }, type: QueryTypes.SELECT },
        );
        expect(row!.description).to.equal('');

        await runAs(b, run);
      });
    }
  });

  it('when { user } is neither a positive id nor a saved user, then the write is refused naming the option', async () => {
    for (const user of [
      0,
      -3,
      1.5,
      User.build({ username: 'unsaved', email: '', passwordHash: 'x' }),
    ]) {
      let error: unknown;
      await Item.create(newItem('bad user'), { user }).catch((e: unknown) => (error = e));
      expect(error, String(user)).to.be.instanceOf(InvalidAuditUserError);
      expect((error as Error).message).to.include('{ user }');
    }
    let error: unknown;
    // @ts-expect-error a user name is not a user: the option's type refuses it too
    await Item.create(newItem('typed'), { user: 'alice' }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(InvalidAuditUserError);
    expect(await itemCount()).to.equal(0);
  });
});
