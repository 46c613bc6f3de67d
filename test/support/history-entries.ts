import { QueryTypes, type Sequelize } from 'sequelize';
import { runAs } from '../../app/context';
import { Campaign, Character, Item, User } from '../../models';

/** Every history entry (time to the microsecond) with the partition holding it, by a fresh query, in id order. */
export function allEntries(sequelize: Sequelize): Promise<Array<Record<string, unknown>>> {
  return sequelize.query(
    `SELECT tableoid::regclass::text AS partition, id, at::text AS at, table_name, row_id, campaign_id,
            action, actor_id, request_id, source, changes
       FROM history_entries ORDER BY id`,
    { type: QueryTypes.SELECT },
  );
}

/** Entries written with explicit times, as SQL from outside the app would (actor unknown). */
export async function insertEntriesAt(
  sequelize: Sequelize,
  campaignId: number,
  times: string[],
): Promise<void> {
  for (const [i, at] of times.entries()) {
    await sequelize.query(
      `INSERT INTO history_entries (at, table_name, row_id, campaign_id, action, changes)
       VALUES ($1, 'characters', $2::integer, $3, 'update',
               jsonb_build_object('name', jsonb_build_object('from', 'old ' || $2::text, 'to', 'new ' || $2::text)))`,
      { bind: [at, 1000 + i, campaignId] },
    );
  }
}

/** Makes the monthly partitions covering [from, to]; returns how many were missing. */
export async function ensurePartitions(sequelize: Sequelize, from: string, to: string) {
  const [row] = await sequelize.query<{ made: number }>(
    'SELECT gma_history_ensure_partitions($1, $2) AS made',
    { bind: [from, to], type: QueryTypes.SELECT },
  );
  return row!.made;
}

/**
 * A campaign with a character and an item made, changed and one deleted
 * through the models by a user (real entries, actor known); returns the ids.
 */
export async function campaignWithHistory(
  name: string,
): Promise<{ userId: number; campaignId: number; characterId: number; itemId: number }> {
  const user = await User.create({
    username: `${name}-gm`,
    email: `${name}@example.test`,
    passwordHash: 'x',
  });
  const userId = user.id;
  return runAs(userId, async () => {
    const campaign = await Campaign.create({ name, ownerId: userId });
    const character = await Character.create({
      name: `${name} hero`,
      campaignId: campaign.id,
      playerOwnerId: userId,
    });
    await character.update({ description: 'brave' });
    const item = await Item.create({ name: `${name} sword`, campaignId: campaign.id });
    await item.update({ name: `${name} sword +1` });
    return { userId, campaignId: campaign.id, characterId: character.id, itemId: item.id };
  });
}
