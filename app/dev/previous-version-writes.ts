import { QueryTypes, type Sequelize } from 'sequelize';

const CONTENT = ['characters', 'items', 'locations'] as const;

async function columnsOf(sequelize: Sequelize, table: string): Promise<string[]> {
  const rows = await sequelize.query<{ c: string }>(
    `SELECT column_name AS c FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = :table`,
    { type: QueryTypes.SELECT, replacements: { table } },
  );
  return rows.map((r) => r.c);
}

/**
 * Writes as the previous app version would before migration step `k`:
 * inserts and updates that name only the columns it knew (the audit
 * triggers, where installed, fill the inserts and set the updated rows'
 * modifier to NULL), and a few rows with NULL audit values (where the
 * columns exist). Small and the same at any table size: a handful of rows
 * per table, chosen by `k`.
 */
export async function writeAsPreviousVersion(sequelize: Sequelize, k: number): Promise<void> {
  const at = `'2026-06-0${1 + (k % 9)} 12:00:00+00'`;
  const owner = `(SELECT id FROM users ORDER BY id OFFSET ${k % 5} LIMIT 1)`;
  const campaign = `(SELECT id FROM campaigns ORDER BY id OFFSET ${k % 3} LIMIT 1)`;
  await sequelize.query(
    `INSERT INTO campaigns (name, description, owner_id, game_system, created_at, updated_at)
     VALUES ('Previous version ${k}', '', ${owner}, 'dnd5e', ${at}, ${at})`,
  );
  await sequelize.query(
    `INSERT INTO characters (name, description, campaign_id, player_owner_id, game_system, created_at, updated_at)
     SELECT 'Previous version ${k}.' || n, '', ${campaign}, ${owner}, '', ${at}, ${at}
       FROM generate_series(1, 2) n`,
  );
  for (const table of ['items', 'locations']) {
    await sequelize.query(
      `INSERT INTO ${table} (name, description, campaign_id, created_by, created_at, updated_at)
       SELECT 'Previous version ${k}.' || n, '', ${campaign},
              CASE WHEN n = 1 THEN NULL ELSE ${owner} END, ${at}, ${at}
         FROM generate_series(1, 2) n`,
    );
  }
  for (const table of ['campaigns', ...CONTENT]) {
    await sequelize.query(
      `UPDATE ${table} SET description = 'edited by the previous version before step ${k}'
        WHERE id IN (SELECT id FROM ${table} ORDER BY id OFFSET ${(k * 3) % 17} LIMIT 3)`,
    );
    const audit = (await columnsOf(sequelize, table)).filter((c) =>
      table === 'items' || table === 'locations'
        ? c === 'modified_by'
        : c === 'created_by' || c === 'modified_by',
    );
    if (audit.length === 0) continue;
    await sequelize.query(
      `UPDATE ${table} SET ${audit.map((c) => `${c} = NULL`).join(', ')}
        WHERE id IN (SELECT id FROM ${table} ORDER BY id DESC OFFSET ${k % 7} LIMIT 2)`,
    );
  }
}
