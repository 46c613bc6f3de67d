/*
 * The small, fixed data a replay runs on, written the way earlier versions
 * of the app left it, so that backfills, catch-ups and clearing passes find
 * rows and send their batch statements. Each entry runs just before the
 * named migration's up, outside the transcript. Timestamps are fixed.
 */

const AT = "'2026-06-01 12:00:00+00'";

/** Rows the first release wrote: users, campaigns (one whose owner left), content with and without a creator. */
const BASELINE = [
  `INSERT INTO users (username, email, password_hash, display_name, is_active, created_at, updated_at)
   SELECT 'user' || n, 'user' || n || '@example.test', '!', 'User ' || n, true, ${AT}, ${AT}
     FROM generate_series(1, 5) AS n`,
  `INSERT INTO campaigns (name, description, owner_id, game_system, created_at, updated_at)
   SELECT 'Campaign ' || n, '', (SELECT id FROM users WHERE username = 'user' || n), 'dnd5e', ${AT}, ${AT}
     FROM generate_series(1, 3) AS n`,
  `INSERT INTO campaign_memberships (campaign_id, user_id, role, created_at, updated_at)
   SELECT c.id, u.id, CASE WHEN u.id = c.owner_id THEN 'OWNER' ELSE 'PLAYER' END, ${AT}, ${AT}
     FROM campaigns c CROSS JOIN users u WHERE u.username LIKE 'user%'`,
  `INSERT INTO characters (name, description, campaign_id, player_owner_id, game_system, created_at, updated_at)
   SELECT 'Character ' || n, '', (SELECT min(id) FROM campaigns) + n % 3,
          (SELECT id FROM users WHERE username = 'user' || (1 + n % 5)), '', ${AT}, ${AT}
     FROM generate_series(1, 9) AS n`,
  ...['items', 'locations'].map(
    (table) =>
      `INSERT INTO ${table} (name, description, campaign_id, created_by, created_at, updated_at)
       SELECT '${table} ' || n, '', (SELECT min(id) FROM campaigns) + n % 3,
              CASE WHEN n % 3 = 0 THEN NULL ELSE (SELECT id FROM users WHERE username = 'user' || (1 + n % 5)) END,
              ${AT}, ${AT}
         FROM generate_series(1, 9) AS n`,
  ),
  // An account deleted after writing: its campaign loses its owner, its content its creator.
  `DELETE FROM users WHERE username = 'user3'`,
];

/** Updates the previous version made once the audit columns existed, before the backfill reached the rows. */
const UPDATES_BEFORE_BACKFILL = ['characters', 'items', 'locations'].map(
  (table) => `UPDATE ${table} SET description = 'edited before the backfill' WHERE id % 4 = 0`,
);

/** Rows the previous version inserted after the backfill passed and before its triggers caught them. */
const ROWS_MISSED_BY_BACKFILL = [
  'SET session_replication_role = replica',
  `INSERT INTO characters (name, description, campaign_id, player_owner_id, game_system, created_at, updated_at)
   SELECT 'Late character ' || n, '', (SELECT min(id) FROM campaigns), (SELECT min(id) FROM users WHERE username LIKE 'user%'), '', ${AT}, ${AT}
     FROM generate_series(1, 3) AS n`,
  ...['items', 'locations'].map(
    (table) =>
      `INSERT INTO ${table} (name, description, campaign_id, created_by, created_at, updated_at)
       SELECT 'Late ${table} ' || n, '', (SELECT min(id) FROM campaigns), NULL, ${AT}, ${AT}
         FROM generate_series(1, 3) AS n`,
  ),
  'RESET session_replication_role',
];

/** Statements to run before the named migration's up, by migration file name. */
export const REFERENCE_DATA: Readonly<Record<string, readonly string[]>> = {
  '20261124090000-create-history-entries.ts': BASELINE,
  '20261124100400-backfill-audit-fields-of-characters.ts': UPDATES_BEFORE_BACKFILL,
  '20261129200000-catch-up-audit-fields-of-characters.ts': ROWS_MISSED_BY_BACKFILL,
};
