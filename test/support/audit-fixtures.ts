import type { Sequelize, Model } from 'sequelize';
import { QueryTypes, type ModelStatic } from 'sequelize';
import { Character, Item, Location } from '../../models';

/** Users and a campaign inserted with plain SQL, so no audit hook is involved in the setup. */
export interface AuditFixture {
  /** Ids of `count` fresh users, in creation order. */
  users: number[];
  campaignId: number;
}

/** Inserts `count` users and one campaign owned by the first. */
export async function createAuditFixture(sequelize: Sequelize, count = 4): Promise<AuditFixture> {
  const rows = await sequelize.query<{ id: number }>(
    `INSERT INTO users (username, password_hash, created_at, updated_at)
     SELECT 'user_' || n, 'x', now(), now() FROM generate_series(1, :count) AS n
     RETURNING id`,
    { replacements: { count }, type: QueryTypes.SELECT },
  );
  const users = rows.map((r) => r.id).sort((a, b) => a - b);
  const [campaign] = await sequelize.query<{ id: number }>(
    `INSERT INTO campaigns (name, owner_id, created_at, updated_at)
     VALUES ('Audit campaign', :owner, now(), now()) RETURNING id`,
    { replacements: { owner: users[0] }, type: QueryTypes.SELECT },
  );
  return { users, campaignId: campaign!.id };
}

/** An audited model seen without its attribute types, for tests that run on all three. */
export type LooseModel = ModelStatic<Model>;

/** The three audited models, with their table and the attributes a new row needs. */
export const AUDITED_MODELS: Array<{
  name: string;
  model: () => LooseModel;
  table: string;
  required(fixture: AuditFixture): Record<string, unknown>;
}> = [
  {
    name: 'Character',
    model: () => Character as unknown as LooseModel,
    table: 'characters',
    // The last user plays every character, so deleting audit users never cascades.
    required: (f) => ({ campaignId: f.campaignId, playerOwnerId: f.users.at(-1) }),
  },
  {
    name: 'Item',
    model: () => Item as unknown as LooseModel,
    table: 'items',
    required: (f) => ({ campaignId: f.campaignId }),
  },
  {
    name: 'Location',
    model: () => Location as unknown as LooseModel,
    table: 'locations',
    required: (f) => ({ campaignId: f.campaignId }),
  },
];

/** The stored audit fields of one row, read with a fresh query. */
export async function storedAudit(
  sequelize: Sequelize,
  table: string,
  id: number,
): Promise<{ created_by: number | null; modified_by: number | null } | undefined> {
  const [row] = await sequelize.query<{ created_by: number | null; modified_by: number | null }>(
    `SELECT created_by, modified_by FROM ${table} WHERE id = :id`,
    { replacements: { id }, type: QueryTypes.SELECT },
  );
  return row;
}
