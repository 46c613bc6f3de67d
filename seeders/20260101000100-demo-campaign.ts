// Demo data: a game master, two players and a small campaign. The players
// join the way every member does, by an invitation they accept (through the
// same service as the API). Characters,
// items and locations go through the models as the system user, so their
// audit fields are stamped like any other write. The down step removes
// exactly these rows (found by their usernames) and nothing else.
//
// The demo accounts log in with DEMO_PASSWORD, which the README publishes:
// with NODE_ENV=production the seeder refuses before writing anything.
import type { QueryInterface } from 'sequelize';
import { Op, QueryTypes } from 'sequelize';
import { bindModels } from '../models/bind-models';
import { Character, Item, Location } from '../models';
import { runAsSystem } from '../models/system-user';
import { loadConfig } from '../app/config';
import { hashPassword } from '../app/auth/password';
import { OperatorError } from '../app/operator-error';
import { InvitationService } from '../app/services/invitation-service';

/** The demo accounts, in seeding order: the game master, then the two players. */
export const DEMO_USERNAMES = ['demo_gm', 'demo_player_ana', 'demo_player_bo'] as const;
/** The development password of every demo account (named in the README). */
export const DEMO_PASSWORD = 'demo-password';
const USERNAMES = [...DEMO_USERNAMES];

export async function up(queryInterface: QueryInterface): Promise<void> {
  const config = loadConfig();
  if (config.nodeEnv === 'production') {
    throw new OperatorError(
      `refusing to seed the demo accounts (${USERNAMES.join(', ')}) with NODE_ENV=production: ` +
        'their password is published in the README. Seed a development or test database instead; ' +
        'nothing was written',
    );
  }
  const passwordHashes = await Promise.all(
    USERNAMES.map(() => hashPassword(DEMO_PASSWORD, config.passwordScryptLogN)),
  );
  bindModels(queryInterface.sequelize);
  await queryInterface.sequelize.transaction(async (transaction) => {
    const now = new Date();
    await queryInterface.bulkInsert(
      'users',
      USERNAMES.map((username, i) => ({
        username,
        email: `${username}@example.test`,
        password_hash: passwordHashes[i],
        display_name: ['Game Master Gwen', 'Ana the Bard', 'Bo the Ranger'][i],
        is_active: true,
        created_at: now,
        updated_at: now,
      })),
      { transaction },
    );
    const ids = await queryInterface.sequelize.query<{ id: number; username: string }>(
      'SELECT id, username FROM users WHERE username IN (:names)',
      { replacements: { names: USERNAMES }, type: QueryTypes.SELECT, transaction },
    );
    const [gm, ana, bo] = USERNAMES.map((name) => ids.find((u) => u.username === name)!.id);

    await queryInterface.bulkInsert(
      'campaigns',
      [
        {
          name: 'The Sunken Crown',
          description: 'A short demo campaign in the drowned city of Vell.',
          owner_id: gm,
          game_system: 'D&D 5e',
          created_at: now,
          updated_at: now,
        },
      ],
      { transaction },
    );
    const [campaign] = await queryInterface.sequelize.query<{ id: number }>(
      'SELECT id FROM campaigns WHERE owner_id = :gm ORDER BY id DESC LIMIT 1',
      { replacements: { gm }, type: QueryTypes.SELECT, transaction },
    );
    const campaignId = campaign!.id;

    await queryInterface.bulkInsert(
      'campaign_memberships',
      [{ campaign_id: campaignId, user_id: gm, role: 'OWNER', created_at: now, updated_at: now }],
      { transaction },
    );
    const invitations = new InvitationService(queryInterface.sequelize, config.invitationTtlDays);
    for (const [player, username] of [
      [ana!, USERNAMES[1]!],
      [bo!, USERNAMES[2]!],
    ] as const) {
      const invitation = await invitations.invite(campaignId, gm!, username, 'PLAYER', transaction);
      await invitations.accept(invitation.id, player, transaction);
    }
    await runAsSystem(
      queryInterface.sequelize,
      async () => {
        await Character.bulkCreate(
          [
            { name: 'Lyra Vell', playerOwnerId: ana, gameSystem: 'D&D 5e' },
            { name: 'Bram Ashwood', playerOwnerId: bo, gameSystem: 'D&D 5e' },
          ].map((c) => ({ ...c, campaignId })),
          { transaction },
        );
        await Item.bulkCreate(
          ['Tide-worn Crown', 'Lantern of the Deep'].map((name) => ({ name, campaignId })),
          { transaction },
        );
        await Location.bulkCreate(
          ['Vell Harbour', 'The Drowned Cathedral'].map((name) => ({ name, campaignId })),
          { transaction },
        );
      },
      'seed',
    );
  });
}

export async function down(queryInterface: QueryInterface): Promise<void> {
  await queryInterface.sequelize.transaction(async (transaction) => {
    // Campaign content goes with its campaign (ON DELETE CASCADE).
    await queryInterface.sequelize.query(
      `DELETE FROM campaigns WHERE owner_id IN (SELECT id FROM users WHERE username IN (:names))`,
      { replacements: { names: USERNAMES }, transaction },
    );
    await queryInterface.bulkDelete('users', { username: { [Op.in]: USERNAMES } }, { transaction });
  });
}
