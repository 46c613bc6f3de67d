import type { Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import { runAs } from '../app/context';
import type { ContextSource } from '../app/context';
import { OperatorError } from '../app/operator-error';

/** Username of the system user that migration 20261120000000-create-system-user inserts. */
export const SYSTEM_USERNAME = 'system';

/** The system user is missing: the database is not migrated far enough. */
export class SystemUserMissingError extends OperatorError {
  override readonly name = 'SystemUserMissingError';
}

// Looked up by username, not fixed: ids come from the users sequence, and a
// reserved id outside it (0 or negative) would be falsy or odd in callers'
// checks. One lookup per Sequelize instance, since each may be another database.
const cache = new WeakMap<Sequelize, Promise<number>>();

/** Id of the system user in the database `sequelize` is connected to (cached per instance). */
export function systemUserId(sequelize: Sequelize): Promise<number> {
  let id = cache.get(sequelize);
  if (!id) {
    id = lookUp(sequelize);
    cache.set(sequelize, id);
    // A failed lookup (not migrated yet) must not stick once the migration has run.
    id.catch(() => cache.delete(sequelize));
  }
  return id;
}

async function lookUp(sequelize: Sequelize): Promise<number> {
  const rows = await sequelize.query<{ id: number }>(
    'SELECT id FROM users WHERE username = :username',
    { replacements: { username: SYSTEM_USERNAME }, type: QueryTypes.SELECT },
  );
  if (rows.length === 0) {
    throw new SystemUserMissingError(
      `The system user "${SYSTEM_USERNAME}" does not exist: run the migrations (npm run db:migrate).`,
    );
  }
  return rows[0]!.id;
}

/** Runs `fn` with the system user as the actor, for seeders, jobs and commands. */
export async function runAsSystem<T>(
  sequelize: Sequelize,
  fn: () => Promise<T>,
  source: ContextSource = 'job',
): Promise<T> {
  return runAs(await systemUserId(sequelize), fn, source);
}
