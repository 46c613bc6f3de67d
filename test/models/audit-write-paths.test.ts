import { expect } from 'chai';
import { runAs } from '../../app/context';
import {
  AUDITED_MODELS,
  createAuditFixture,
  storedAudit,
  type AuditFixture,
  type LooseModel,
} from '../support/audit-fixtures';
import { historyOf } from '../support/history';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

interface Users {
  /** Made the row before the write under test (when the path updates one). */
  creator: number;
  /** Makes the write under test; a different user for every path. */
  writer: number;
  /** A third user, for paths that need an earlier write by someone else. */
  other: number;
}

interface WritePath {
  path: string;
  /** Who the stored created_by must be afterwards. */
  expectedCreator: keyof Users;
  /** Does the write as `users.writer` (creating a row first as `users.creator` if needed); returns the row id. */
  write(model: LooseModel, values: () => Record<string, unknown>, users: Users): Promise<number>;
}

/** A row made by `user`, for paths that change an existing one. */
async function existing(
  model: LooseModel,
  values: Record<string, unknown>,
  user: number,
): Promise<number> {
  const row = await runAs(user, () => model.create(values));
  return row.get('id') as number;
}

const PATHS: WritePath[] = [
  {
    path: 'Model.create',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) =>
      (await runAs(writer, () => model.create(values()))).get('id') as number,
  },
  {
    path: 'Model.create with { fields } that leave out the audit fields',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const v = values();
      const row = await runAs(writer, () => model.create(v, { fields: Object.keys(v) }));
      return row.get('id') as number;
    },
  },
  {
    path: 'Model.findOrCreate (creating)',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const v = values();
      const [row] = await runAs(writer, () =>
        model.findOrCreate({ where: { name: v.name as string }, defaults: v }),
      );
      return row.get('id') as number;
    },
  },
  {
    path: 'instance.save() after a change',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      const row = (await model.findByPk(id))!;
      row.set('description', 'changed');
      await runAs(writer, () => row.save());
      return id;
    },
  },
  {
    path: 'instance.update(values)',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      const row = (await model.findByPk(id))!;
      await runAs(writer, () => row.update({ description: 'changed' }));
      return id;
    },
  },
  {
    path: 'instance.save({ fields: [one field] })',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      const row = (await model.findByPk(id))!;
      row.set('description', 'changed');
      await runAs(writer, () => row.save({ fields: ['description'] }));
      return id;
    },
  },
  {
    path: 'save({ fields }) by one user, then update() by another (stale dirty flag)',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer, other }) => {
      const id = await existing(model, values(), creator);
      const row = (await model.findByPk(id))!;
      row.set('description', 'first');
      await runAs(other, () => row.save({ fields: ['description'] }));
      await runAs(writer, () => row.update({ description: 'second' }));
      return id;
    },
  },
  {
    path: 'Model.update(values, { where })',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      await runAs(writer, () => model.update({ description: 'changed' }, { where: { id } }));
      return id;
    },
  },
  {
    path: 'Model.update(values, { where, fields })',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      await runAs(writer, () =>
        model.update({ description: 'changed' }, { where: { id }, fields: ['description'] }),
      );
      return id;
    },
  },
  {
    path: 'Model.update(values, { where, individualHooks: true })',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const id = await existing(model, values(), creator);
      await runAs(writer, () =>
        model.update({ description: 'changed' }, { where: { id }, individualHooks: true }),
      );
      return id;
    },
  },
  {
    path: 'Model.bulkCreate',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const [row] = await runAs(writer, () => model.bulkCreate([values(), values()]));
      return row!.get('id') as number;
    },
  },
  {
    path: 'Model.bulkCreate with { fields } that leave out the audit fields',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const v = values();
      const [row] = await runAs(writer, () => model.bulkCreate([v], { fields: Object.keys(v) }));
      return row!.get('id') as number;
    },
  },
  {
    path: 'Model.bulkCreate with individualHooks',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const [row] = await runAs(writer, () =>
        model.bulkCreate([values()], { individualHooks: true }),
      );
      return row!.get('id') as number;
    },
  },
  {
    path: 'Model.bulkCreate with updateOnDuplicate on an existing row',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const v = values();
      const id = await existing(model, v, creator);
      await runAs(writer, () =>
        model.bulkCreate([{ ...v, id, description: 'changed' }], {
          updateOnDuplicate: ['description'],
        }),
      );
      return id;
    },
  },
  {
    path: 'Model.upsert of a new row',
    expectedCreator: 'writer',
    write: async (model, values, { writer }) => {
      const [row] = await runAs(writer, () => model.upsert(values()));
      return row.get('id') as number;
    },
  },
  {
    path: 'Model.upsert of an existing row',
    expectedCreator: 'creator',
    write: async (model, values, { creator, writer }) => {
      const v = values();
      const id = await existing(model, v, creator);
      await runAs(writer, () => model.upsert({ ...v, id, description: 'changed' }));
      return id;
    },
  },
];

describe('Audit fields on every write path', () => {
  // One database for the file: every test writes rows of its own, and a clone per test
  // would cost more than all the writes.
  const db = {} as { current: TestDatabase };
  let fixture: AuditFixture;

  before(async () => {
    db.current = await createTestDatabase('latest');
    fixture = await createAuditFixture(db.current.sequelize, PATHS.length + 3);
  });
  after(() => db.current?.drop());

  for (const { name, model, table, required } of AUDITED_MODELS) {
    describe(name, () => {
      PATHS.forEach(({ path, expectedCreator, write }, index) => {
        it(`when ${path} runs as a user, then the stored created_by is the ${expectedCreator}, modified_by the writer, and the newest history entry names the writer`, async () => {
          // A different writer per path; the creator and the other user are never a writer.
          const users: Users = {
            creator: fixture.users[0]!,
            other: fixture.users[1]!,
            writer: fixture.users[index + 2]!,
          };
          let n = 0;
          const values = () => ({ ...required(fixture), name: `${name} ${index}.${n++}` });

          const id = await write(model(), values, users);

          expect(await storedAudit(db.current.sequelize, table, id)).to.deep.equal({
            created_by: users[expectedCreator],
            modified_by: users.writer,
          });
          const [entry] = await historyOf(db.current.sequelize, table, id);
          expect(entry, 'a history entry for the write').to.include({
            action: expectedCreator === 'writer' ? 'create' : 'update',
            actor_id: users.writer,
          });
        });
      });
    });
  }
});
