import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../app/db/sequelize';
import { initModels } from '../../models';
import { TEMPLATES, databaseUrl, withAdminClient, type TemplateName } from './test-server';

/** A database of its own for one test, cloned from a template. */
export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly sequelize: Sequelize;
  drop(): Promise<void>;
}

/**
 * Clones a template, or another test database with no open connection (a
 * file copy: tens of milliseconds), into a new database,
 * opens Sequelize on it and binds the models to it.
 */
export async function createTestDatabase(
  template: TemplateName | { database: string } = 'latest',
): Promise<TestDatabase> {
  const name = `gma_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const source = typeof template === 'string' ? TEMPLATES[template] : template.database;
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE ${source} STRATEGY FILE_COPY`),
  );
  const url = databaseUrl(name);
  const sequelize = createSequelize(url);
  initModels(sequelize);
  return {
    name,
    url,
    sequelize,
    async drop() {
      await sequelize.close();
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

/**
 * Mocha hooks giving each test in the block a fresh database. Read `.current`
 * inside tests: `const db = useTestDatabase(); it(..., () => db.current.sequelize ...)`.
 */
export function useTestDatabase(template: TemplateName = 'latest'): { current: TestDatabase } {
  const holder = {} as { current: TestDatabase };
  beforeEach(async () => {
    holder.current = await createTestDatabase(template);
  });
  afterEach(async () => {
    await holder.current?.drop();
  });
  return holder;
}
