// The system user: the actor of writes made by migrations, seeders and jobs,
// so every audited row names a real user. It cannot log in (inactive, with a
// password hash no password matches) and a trigger refuses to delete it or to
// change its username, password or active flag.
// Reverse: drop the trigger and its function, then delete the user; rows that
// name it as creator or modifier get NULL there, as for any deleted user.
import type { QueryInterface } from 'sequelize';
import { QueryTypes } from 'sequelize';
import type { MigrationMeta } from '../app/db/migration-meta';

const USERNAME = 'system';

export const meta: MigrationMeta = { transactional: true, table: 'users', kind: 'schema' };

export async function up(queryInterface: QueryInterface): Promise<void> {
  const sequelize = queryInterface.sequelize;
  await sequelize.transaction(async (transaction) => {
    const taken = await sequelize.query<{ id: number }>(
      'SELECT id FROM users WHERE username = :username',
      { replacements: { username: USERNAME }, type: QueryTypes.SELECT, transaction },
    );
    if (taken.length > 0) {
      // Adopting a real person's account as the system user would hand them every system write.
      throw new Error(
        `A user named "${USERNAME}" already exists (id ${taken[0]!.id}); rename that account, ` +
          'then run the migration again.',
      );
    }
    // A fixed timestamp, not now(): applying the migration twice gives the same row.
    await sequelize.query(
      `INSERT INTO users (username, email, password_hash, display_name, is_active, created_at, updated_at)
       VALUES (:username, '', '!', 'System', false, :since, :since)`,
      { replacements: { username: USERNAME, since: '2026-11-20T00:00:00Z' }, transaction },
    );
    await sequelize.query(
      `CREATE FUNCTION gma_protect_system_user() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' THEN
           RAISE EXCEPTION 'The system user (id %) cannot be deleted: migrations, seeders and jobs write as this user', OLD.id
             USING ERRCODE = 'restrict_violation';
         END IF;
         IF NEW.username IS DISTINCT FROM OLD.username
            OR NEW.password_hash IS DISTINCT FROM OLD.password_hash
            OR NEW.is_active IS DISTINCT FROM OLD.is_active THEN
           RAISE EXCEPTION 'The system user (id %) keeps its username, password and inactive state', OLD.id
             USING ERRCODE = 'restrict_violation';
         END IF;
         RETURN NEW;
       END
       $$`,
      { transaction },
    );
    await sequelize.query(
      `CREATE TRIGGER users_protect_system_user BEFORE UPDATE OR DELETE ON users
       FOR EACH ROW WHEN (OLD.username = '${USERNAME}') EXECUTE FUNCTION gma_protect_system_user()`,
      { transaction },
    );
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  const sequelize = queryInterface.sequelize;
  await sequelize.transaction(async (transaction) => {
    await sequelize.query('DROP TRIGGER IF EXISTS users_protect_system_user ON users', {
      transaction,
    });
    await sequelize.query('DROP FUNCTION IF EXISTS gma_protect_system_user()', { transaction });
    await sequelize.query('DELETE FROM users WHERE username = :username', {
      replacements: { username: USERNAME },
      transaction,
    });
  });
}
