import type pg from 'pg';
import { ident } from '../sql-identifier';
import { runOnlineDdl } from './online-ddl';

/** A foreign key from an audit column to `users(id)`, `ON DELETE SET NULL`. */
export interface AuditForeignKey {
  name: string;
  table: string;
  column: string;
}

async function constraintState(
  client: pg.Client,
  table: string,
  name: string,
): Promise<'absent' | 'validated' | 'not-valid'> {
  const { rows } = await client.query<{ validated: boolean }>(
    `SELECT convalidated AS validated FROM pg_constraint
      WHERE conname = $1 AND conrelid = to_regclass($2)`,
    [name, `public.${table}`],
  );
  if (rows.length === 0) return 'absent';
  return rows[0]!.validated ? 'validated' : 'not-valid';
}

/**
 * Adds the foreign key in two steps: `NOT VALID` (a brief lock, no scan;
 * new writes are checked from then on), then `VALIDATE CONSTRAINT`, which
 * scans the table under SHARE UPDATE EXCLUSIVE while writes continue. A
 * validated ADD FOREIGN KEY would block writers for the whole scan.
 * ON DELETE SET NULL: deleting a user must never delete campaign content.
 */
export async function addForeignKeyOnline(client: pg.Client, fk: AuditForeignKey): Promise<void> {
  if ((await constraintState(client, fk.table, fk.name)) === 'absent') {
    await runOnlineDdl(
      client,
      [
        `ALTER TABLE ${ident(fk.table)} ADD CONSTRAINT ${ident(fk.name)} ` +
          `FOREIGN KEY (${ident(fk.column)}) REFERENCES users (id) ON DELETE SET NULL NOT VALID`,
      ],
      { tables: [fk.table, 'users'] },
    );
  }
  if ((await constraintState(client, fk.table, fk.name)) === 'not-valid') {
    // A user deleted between the column's creation and NOT VALID may have
    // left a dangling id; do what ON DELETE SET NULL would have done, or
    // VALIDATE fails. Touches only such rows (normally none).
    const cleared = await client.query(
      `UPDATE ${ident(fk.table)} t SET ${ident(fk.column)} = NULL
        WHERE t.${ident(fk.column)} IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.${ident(fk.column)})`,
    );
    if (cleared.rowCount) {
      process.stderr.write(
        `${fk.table}.${fk.column}: ${cleared.rowCount} id(s) of deleted users set to NULL\n`,
      );
    }
    // VALIDATE's lock does not conflict with writers, but it does queue
    // behind an ACCESS EXCLUSIVE request, so it keeps the short timeout too.
    await runOnlineDdl(
      client,
      [`ALTER TABLE ${ident(fk.table)} VALIDATE CONSTRAINT ${ident(fk.name)}`],
      { tables: [fk.table] },
    );
  }
}

/** Drops the foreign key (a brief lock with the short timeout); absent is fine. */
export async function dropForeignKey(client: pg.Client, fk: AuditForeignKey): Promise<void> {
  await runOnlineDdl(
    client,
    [`ALTER TABLE ${ident(fk.table)} DROP CONSTRAINT IF EXISTS ${ident(fk.name)}`],
    { tables: [fk.table, 'users'] },
  );
}
