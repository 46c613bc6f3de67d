import { randomBytes } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { createSequelize } from '../../app/db/sequelize';
import { initModels } from '../../models';
import {
  TEMPLATES,
  databaseUrl,
  pooledDatabaseUrl,
  withAdminClient,
  type TemplateName,
} from './test-server';

/**
 * How the test's Sequelize (and so the app under test) reaches the server:
 * directly, or through the suite's PgBouncer in transaction pooling mode.
 */
export type Connection = 'direct' | 'pgbouncer';

/** A database of its own for one test, cloned from a template. */
export interface TestDatabase {
  readonly name: string;
  /** The URL `sequelize` uses: direct, or through PgBouncer. */
  readonly url: string;
  /** Always a direct connection (for migrators and checks that need their own session). */
  readonly directUrl: string;
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
  via: Connection = 'direct',
): Promise<TestDatabase> {
  const name = `gma_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // Before creating anything: without PgBouncer this throws how to install it.
  if (via === 'pgbouncer') pooledDatabaseUrl(name);
  const source = typeof template === 'string' ? TEMPLATES[template] : template.database;
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE ${name} TEMPLATE ${source} STRATEGY FILE_COPY`),
  );
  return openTestDatabase(name, via);
}

/**
 * A new handle on an existing test database, with Sequelize open and the
 * models bound to it: to go on using a database whose handle was closed so
 * that it could be cloned (a closed Sequelize cannot reconnect).
 */
export function openTestDatabase(name: string, via: Connection = 'direct'): TestDatabase {
  const url = via === 'pgbouncer' ? pooledDatabaseUrl(name) : databaseUrl(name);
  const sequelize = createSequelize(url);
  initModels(sequelize);
  return {
    name,
    url,
    directUrl: databaseUrl(name),
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
export function useTestDatabase(
  template: TemplateName = 'latest',
  via: Connection = 'direct',
): { current: TestDatabase } {
  const holder = {} as { current: TestDatabase };
  beforeEach(async () => {
    holder.current = await createTestDatabase(template, via);
  });
  afterEach(async () => {
    await holder.current?.drop();
  });
  return holder;
}
