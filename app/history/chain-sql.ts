import { HISTORY_TABLE } from './captured-table';

/*
 * The history's hash chain. Each entry carries `hash`, the SHA-256 of a
 * canonical text of the entry, and `prev_hash`, the hash of the entry before
 * it of the same row (table_name, row_id), in (at, id) order. A BEFORE
 * INSERT row trigger of its own on the history sets both, whoever writes the
 * entry; the capture function knows nothing of it. The previous entry of a
 * row is found through the row index; the row lock of the captured table
 * already orders one row's writes, so the chain needs no lock of its own and
 * writers of different rows never wait for each other.
 *
 * The canonical text is the jsonb text of the entry's non-null top-level
 * columns except `hash` itself, with `at` as UTC to the microsecond
 * (`2026-12-03T15:38:47.123456Z`) and `prev_hash` in hex: jsonb prints its
 * keys in a fixed order and its values one way, so the text does not depend
 * on the session (TimeZone, DateStyle, bytea_output) nor on the column order.
 * A column added later (nullable, no default) is covered once it holds a
 * value, and leaves the hash of older entries (NULL there) unchanged.
 *
 * Entries written before the chain existed have no hash: a row's chain
 * starts at its first hashed entry (prev_hash NULL when the entry before it
 * has none).
 */

export const HASH_COLUMN = 'hash';
export const PREV_HASH_COLUMN = 'prev_hash';
export const ENTRY_HASH_FUNCTION = 'gma_history_entry_hash';
export const CHAIN_FUNCTION = 'gma_history_chain';
export const CHAIN_TRIGGER = 'history_entries_chain';

/** SQL: the hash of an entry given as jsonb (to_jsonb of the row), its time and its prev_hash. */
export function entryHashSql(entry: string, at: string, prevHash: string): string {
  return `${ENTRY_HASH_FUNCTION}(${entry}, ${at}, ${prevHash})`;
}

/** The function computing an entry's hash from its columns (shared by the trigger, the seal and verify). */
export function entryHashFunctionSql(): string {
  return `CREATE OR REPLACE FUNCTION ${ENTRY_HASH_FUNCTION}(entry jsonb, at timestamptz, prev_hash bytea)
  RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(convert_to((
      COALESCE((SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(entry) e
                 WHERE e.value <> 'null'::jsonb
                   AND e.key NOT IN ('${HASH_COLUMN}', '${PREV_HASH_COLUMN}', 'at')), '{}'::jsonb)
      || jsonb_build_object('at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
      || CASE WHEN prev_hash IS NULL THEN '{}'::jsonb
              ELSE jsonb_build_object('${PREV_HASH_COLUMN}', encode(prev_hash, 'hex')) END
    )::text, 'UTF8'))
  $$`;
}

/**
 * The trigger function: links the new entry to the newest entry of its row
 * written before it, and hashes it. Values given for hash or prev_hash are
 * replaced: only the chain decides them. The previous entry is looked for in
 * the new entry's month first (one partition, the common case), then in all.
 */
export function chainFunctionSql(): string {
  const previous = (since: string) => `SELECT h.${HASH_COLUMN} INTO previous FROM ${HISTORY_TABLE} h
       WHERE h.table_name = NEW.table_name AND h.row_id = NEW.row_id${since}
         AND h.at <= NEW.at AND (h.at, h.id) < (NEW.at, NEW.id)
       ORDER BY h.at DESC, h.id DESC LIMIT 1;`;
  return `CREATE OR REPLACE FUNCTION ${CHAIN_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    previous bytea;
  BEGIN
    ${previous(`
         AND h.at >= date_trunc('month', NEW.at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`)}
    IF NOT FOUND THEN
      ${previous('')}
    END IF;
    NEW.${PREV_HASH_COLUMN} := previous;
    NEW.${HASH_COLUMN} := ${entryHashSql('to_jsonb(NEW)', 'NEW.at', 'previous')};
    RETURN NEW;
  END $$`;
}

/** The trigger, on the partitioned history (cloned onto every partition, present and future). */
export function createChainTriggerSql(): string[] {
  return [
    `DROP TRIGGER IF EXISTS ${CHAIN_TRIGGER} ON ${HISTORY_TABLE}`,
    `CREATE TRIGGER ${CHAIN_TRIGGER} BEFORE INSERT ON ${HISTORY_TABLE}
       FOR EACH ROW EXECUTE FUNCTION ${CHAIN_FUNCTION}()`,
  ];
}
