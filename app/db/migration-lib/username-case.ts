import type pg from 'pg';

/** Accounts whose usernames are equal once case is ignored. */
export interface CaseCollision {
  /** The shared lower-case form. */
  key: string;
  accounts: Array<{ id: number; username: string }>;
}

/** Every group of usernames that differ only in case, oldest account first. */
export async function findUsernameCaseCollisions(client: pg.ClientBase): Promise<CaseCollision[]> {
  const { rows } = await client.query<{ key: string; ids: number[]; names: string[] }>(
    `SELECT lower(username) AS key,
            array_agg(id ORDER BY id) AS ids,
            array_agg(username ORDER BY id) AS names
       FROM users GROUP BY lower(username) HAVING count(*) > 1 ORDER BY 1`,
  );
  return rows.map((r) => ({
    key: r.key,
    accounts: r.ids.map((id, i) => ({ id, username: r.names[i]! })),
  }));
}

/** The report an operator reads when case-insensitive uniqueness cannot be built yet. */
export function describeCollisions(collisions: CaseCollision[]): string {
  const lines = collisions.map(
    (c) => `  ${c.accounts.map((a) => `"${a.username}" (id ${a.id})`).join(', ')}`,
  );
  const example = collisions[0]?.accounts[1]?.username ?? 'Alice';
  return (
    `${collisions.length} username(s) are shared by accounts that differ only in case:\n` +
    `${lines.join('\n')}\n` +
    'Usernames become unique whatever the case. Rename all but one account of each group, e.g.\n' +
    `  npm run db:rename-user -- --from ${example} --to ${example}_2\n` +
    'tell its owner the new name, then run the migrations again. No account was changed.'
  );
}
