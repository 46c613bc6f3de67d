import type { Sequelize } from 'sequelize';

/** What fillTables wrote: how many rows of each kind. */
export interface FilledCounts {
  users: number;
  campaigns: number;
  characters: number;
  items: number;
  locations: number;
}

/**
 * Fills the pre-audit tables with `n` characters, items and locations (and a
 * few users and campaigns) in set-based SQL. Names carry tabs, newlines,
 * backslashes and non-ASCII text, and a third of items/locations have no
 * creator, so that dumps and checks meet the awkward cases.
 */
export async function fillTables(sequelize: Sequelize, n = 300): Promise<FilledCounts> {
  const users = 20;
  const campaigns = 5;
  await sequelize.query(`
    INSERT INTO users (username, email, password_hash, display_name, created_at, updated_at)
    SELECT 'user' || i, 'user' || i || '@example.test', 'x', E'Ünïcode\\tname ' || i,
           now() - i * interval '1 day', now()
      FROM generate_series(1, ${users}) AS i;
    INSERT INTO campaigns (name, owner_id, created_at, updated_at)
    SELECT 'campaign ' || i, (SELECT min(id) FROM users) + i, now(), now()
      FROM generate_series(1, ${campaigns}) AS i;
    INSERT INTO characters (name, description, campaign_id, player_owner_id, created_at, updated_at)
    SELECT 'hero ' || i, E'line one\\nline two \\\\ back', c.id, u.id,
           now() - i * interval '1 hour', now() - i * interval '1 minute'
      FROM generate_series(1, ${n}) AS i
      JOIN LATERAL (SELECT id FROM campaigns ORDER BY id OFFSET i % ${campaigns} LIMIT 1) c ON true
      JOIN LATERAL (SELECT id FROM users ORDER BY id OFFSET i % ${users} LIMIT 1) u ON true;
    INSERT INTO items (name, campaign_id, created_by, created_at, updated_at)
    SELECT 'item ' || i, c.id, CASE WHEN i % 3 = 0 THEN NULL ELSE u.id END,
           now() - i * interval '1 hour', now() - i * interval '1 minute'
      FROM generate_series(1, ${n}) AS i
      JOIN LATERAL (SELECT id FROM campaigns ORDER BY id OFFSET i % ${campaigns} LIMIT 1) c ON true
      JOIN LATERAL (SELECT id FROM users ORDER BY id OFFSET i % ${users} LIMIT 1) u ON true;
    INSERT INTO locations (name, campaign_id, created_by, created_at, updated_at)
    SELECT 'place ' || i, c.id, CASE WHEN i % 3 = 0 THEN NULL ELSE u.id END,
           now() - i * interval '1 hour', now() - i * interval '1 minute'
      FROM generate_series(1, ${n}) AS i
      JOIN LATERAL (SELECT id FROM campaigns ORDER BY id OFFSET i % ${campaigns} LIMIT 1) c ON true
      JOIN LATERAL (SELECT id FROM users ORDER BY id OFFSET i % ${users} LIMIT 1) u ON true;
  `);
  return { users, campaigns, characters: n, items: n, locations: n };
}
