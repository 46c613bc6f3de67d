// Usernames become one namespace whatever the case: a unique index on
// lower(username), which login also uses to find an account by any case.
// Built CONCURRENTLY, so NOT in a transaction: sign-ups and logins continue.
// Accounts that already differ only in case ("Alice" and "alice") are not
// merged or renamed behind anyone's back: the migration stops before building
// anything, names them, and tells the operator how to rename
// (npm run db:rename-user); nothing is changed, and a re-run continues.
// A re-run drops an INVALID leftover of a failed build and keeps a valid index.
// Down: drops the index, concurrently.
import type { QueryInterface } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';
import { dropIndexConcurrently } from '../app/db/migration-lib/concurrent-index';
import { withMigrationClient } from '../app/db/migration-lib/migration-client';
import { createUniqueExpressionIndexConcurrently } from '../app/db/migration-lib/unique-expression-index';
import {
  describeCollisions,
  findUsernameCaseCollisions,
} from '../app/db/migration-lib/username-case';

export const meta: MigrationMeta = { transactional: false, table: 'users', kind: 'index' };

const INDEX = { name: 'users_username_lower_key', table: 'users', expression: 'lower(username)' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, async (client) => {
    const collisions = await findUsernameCaseCollisions(client);
    if (collisions.length > 0) throw new Error(describeCollisions(collisions));
    // A sign-up racing this build with a colliding name makes the build fail
    // (and its leftover dropped); the re-run then reports the pair.
    await createUniqueExpressionIndexConcurrently(client, INDEX);
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await withMigrationClient(queryInterface, (client) => dropIndexConcurrently(client, INDEX.name));
}
