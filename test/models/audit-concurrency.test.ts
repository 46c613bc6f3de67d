import { expect } from 'chai';
import { QueryTypes, type Sequelize } from 'sequelize';
import { runAs } from '../../app/context';
import { createSequelize } from '../../app/db/sequelize';
import { Character, Item, initModels } from '../../models';
import { createAuditFixture } from '../support/audit-fixtures';
import { useTestDatabase } from '../support/test-database';

const CONTEXTS = 50;
const POOL = 5;

const pause = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 5));

describe('Audit fields under concurrency', () => {
  const db = useTestDatabase('latest');
  let small: Sequelize | undefined;

  afterEach(async () => {
    await small?.close();
    small = undefined;
    initModels(db.current.sequelize);
  });

  it(`when ${CONTEXTS} contexts interleave creates and updates on a pool of ${POOL}, then every row carries its own actor`, async () => {
    const { users, campaignId } = await createAuditFixture(db.current.sequelize, CONTEXTS);
    small = createSequelize(db.current.url, { pool: { max: POOL } });
    initModels(small);
    expect(small.config.pool?.max).to.equal(POOL);

    await Promise.all(
      users.map((user, i) =>
        runAs(user, async () => {
          await pause();
          const character = await Character.create({
            name: `Hero ${i}`,
            campaignId,
            playerOwnerId: users[0]!,
          });
          await pause();
          const item = await Item.create({ name: `Item ${i}`, campaignId });
          await pause();
          // Every update also rewrites the row: another context must not win it.
          await character.update({ description: `by context ${i}` });
          await Item.update({ description: `by context ${i}` }, { where: { id: item.id } });
        }),
      ),
    );

    for (const table of ['characters', 'items']) {
      const rows = await db.current.sequelize.query<{
        description: string;
        created_by: number;
        modified_by: number;
      }>(`SELECT description, created_by, modified_by FROM ${table} ORDER BY id`, {
        type: QueryTypes.SELECT,
      });
      expect(rows, table).to.have.length(CONTEXTS);
      for (const row of rows) {
        const context = Number(row.description.replace('by context ', ''));
        expect(row, `${table}: ${row.description}`).to.deep.equal({
          description: row.description,
          created_by: users[context],
          modified_by: users[context],
        });
      }
    }
  });
});
