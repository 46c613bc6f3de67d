import type pg from 'pg';
import { ident } from '../sql-identifier';
import { migrationLog } from './migration-log';
import { runOnlineDdl } from './online-ddl';

/** A foreign key from `table.column` to `users(id)`, ON DELETE SET NULL. */
export interface UserForeignKey {
  readonly name: string;
  readonly table: string;
  readonly column: string;
}

async function constraintState(
  client: pg.ClientBase,
  fk: UserForeignKey,
): Promise<'absent' | 'validated' | 'not-valid'> {
  const { rows } = await client.query<{ validated: boolean }>(
    `SELECT convalidated AS validated FROM pg_constraint
      WHERE conname = $1 AND conrelid = to_regclass($2)`,
    [fk.name, ident(fk.table)],
  );
  if (rows.length === 0) return 'absent';
  return rows[0]!.validated ? 'validated' : 'not-valid';
}

/**
 * Adds the foreign key in two steps: `NOT VALID` (a brief lock, no scan; new
 * writes are checked from then on), then `VALIDATE CONSTRAINT`, which scans
 * under SHARE UPDATE EXCLUSIVE while writes continue. ON DELETE SET NULL:
 * deleting a user must never delete campaign content. A re-run skips what
 * is done.
 */
export async function addUserForeignKeyOnline(
  client: pg.ClientBase,
  fk: UserForeignKey,
): Promise<void> {
  if ((await constraintState(client, fk)) === 'absent') {
    await runOnlineDdl(
      client,
      [
        `ALTER TABLE ${ident(fk.table)} ADD CONSTRAINT ${ident(fk.name)} ` +
          `FOREIGN KEY (${ident(fk.column)}) REFERENCES users (id) ON DELETE SET NULL NOT VALID`,
      ],
      [fk.table, 'users'],
    );
  }
  if ((await constraintState(client, fk)) === 'not-valid') {
    // A user deleted between the column's creation and NOT VALID may have
    // left a dangling id; do what ON DELETE SET NULL would have done, or
    // VALIDATE fails. Touches only such rows (normally none).
    const cleared = await client.query(
      `UPDATE ${ident(fk.table)} t SET ${ident(fk.column)} = NULL
        WHERE t.${ident(fk.column)} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.${ident(fk.column)})`,
    );
    if (cleared.rowCount) {
      migrationLog(
        `${fk.table}.${fk.column}: ${cleared.rowCount} id(s) of deleted users set to NULL`,
      );
    }
    // VALIDATE's lock does not conflict with writers, but it does queue
    // behind an ACCESS EXCLUSIVE request, so it keeps the short timeout too.
    await runOnlineDdl(
      client,
      [`ALTER TABLE ${ident(fk.table)} VALIDATE CONSTRAINT ${ident(fk.name)}`],
      [fk.table],
    );
  }
}

/** Drops the foreign key (a brief lock with the short timeout); absent is fine. */
export async function dropUserForeignKey(client: pg.ClientBase, fk: UserForeignKey): Promise<void> {
  await runOnlineDdl(
    client,
    [`ALTER TABLE ${ident(fk.table)} DROP CONSTRAINT IF EXISTS ${ident(fk.name)}`],
    [fk.table, 'users'],
  );
}
