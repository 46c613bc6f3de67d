import type pg from 'pg';
import { HISTORY_TABLE } from '../../history/captured-table';
import { CHAIN_FUNCTION, CHAIN_TRIGGER } from '../../history/chain-sql';
import type { CheckResult } from '../check-report';

// pg_trigger.tgtype bits (PostgreSQL's trigger.h).
const ROW = 1;
const BEFORE = 2;
const INSERT = 4;

/**
 * The history's chain trigger is there, enabled, and hashes each entry
 * before its insert: without it, entries are written without a hash, and
 * db:history-verify reports each one written after hashed ones.
 */
export async function checkHistoryChain(client: pg.ClientBase): Promise<CheckResult> {
  const name = 'history chain';
  const { rows } = await client.query<{ enabled: string; function: string; type: number }>(
    `SELECT t.tgenabled AS enabled, p.proname AS function, t.tgtype::int AS type
       FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
      WHERE t.tgrelid = to_regclass($1) AND t.tgname = $2`,
    [HISTORY_TABLE, CHAIN_TRIGGER],
  );
  const found = rows[0];
  const reinstall =
    'roll back and re-apply 20261203400200-chain-history-entries.ts ' +
    '(npm run db:rollback -- --to <migration>, then npm run db:migrate)';
  if (!found) {
    return { name, status: 'fail', summary: `trigger ${CHAIN_TRIGGER} is missing; ${reinstall}` };
  }
  if (found.enabled === 'D' || found.enabled === 'R') {
    return {
      name,
      status: 'fail',
      summary:
        `trigger ${CHAIN_TRIGGER} is disabled: entries are written without a hash ` +
        `(ALTER TABLE ${HISTORY_TABLE} ENABLE TRIGGER ${CHAIN_TRIGGER}, then npm run db:history-verify)`,
    };
  }
  if (
    found.function !== CHAIN_FUNCTION ||
    (found.type & (ROW | BEFORE | INSERT)) !== ROW + BEFORE + INSERT
  ) {
    return {
      name,
      status: 'fail',
      summary: `trigger ${CHAIN_TRIGGER} does not call ${CHAIN_FUNCTION}() before each insert; ${reinstall}`,
    };
  }
  return { name, status: 'ok', summary: 'every new entry is hashed and linked to its row' };
}
