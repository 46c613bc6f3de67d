import { QueryTypes, type Sequelize } from 'sequelize';
import { normalizeUsername, usernameAsWritten, usernameProblem } from '../auth/username';

/** A rename that cannot be done; the message says why and what to do. */
export class RenameUserError extends Error {
  override readonly name = 'RenameUserError';
}

/**
 * Renames the account whose username is exactly `from` (case matters: this is
 * how two accounts differing only in case are told apart) to `to`, which must
 * be a valid username not taken in any case by another account. Returns the
 * account id. One UPDATE; the system user refuses it (its trigger).
 */
export async function renameUser(sequelize: Sequelize, from: string, to: string): Promise<number> {
  const problem = usernameProblem(to);
  if (problem) throw new RenameUserError(`--to "${to}" is not a valid username: ${problem}`);
  const newName = usernameAsWritten(to);
  return sequelize.transaction(async (transaction) => {
    const [account] = await sequelize.query<{ id: number }>(
      'SELECT id FROM users WHERE username = :from FOR UPDATE',
      { replacements: { from }, type: QueryTypes.SELECT, transaction },
    );
    if (!account) {
      throw new RenameUserError(`No account is named exactly "${from}" (case matters here)`);
    }
    const taken = await sequelize.query<{ id: number; username: string }>(
      'SELECT id, username FROM users WHERE lower(username) = :key AND id <> :id',
      {
        replacements: { key: normalizeUsername(newName), id: account.id },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (taken.length > 0) {
      throw new RenameUserError(
        `"${newName}" is taken (whatever the case) by ${taken.map((t) => `"${t.username}" (id ${t.id})`).join(', ')}; choose another name`,
      );
    }
    try {
      await sequelize.query('UPDATE users SET username = :to, updated_at = now() WHERE id = :id', {
        replacements: { to: newName, id: account.id },
        transaction,
      });
    } catch (error) {
      const code = (error as { parent?: { code?: string } }).parent?.code;
      if (code === '23001') {
        throw new RenameUserError(`"${from}" is the system user, whose name cannot change`);
      }
      throw error;
    }
    return account.id;
  });
}
