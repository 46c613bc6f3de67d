import type { Includeable, Sequelize, Transaction } from 'sequelize';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { CampaignMembership, Character } from '../../models';
import { auditUsersInclude, findAudited } from '../../models/mixins/audit-queries';
import { accessCampaign, notFoundAsNull, type CampaignAccess } from './campaign-access';
import { defined } from './campaign-service';
import { listQuery, toPage, type ListOptions, type ListPage } from './content-list';
import { canCreateCharacter, canEditCharacter, isEditor } from './permissions';
import { requireUnchanged, type Precondition } from './precondition';

export interface CharacterInput {
  name?: string | undefined;
  description?: string | undefined;
  gameSystem?: string | undefined;
  playerOwnerId?: number | undefined;
}

/** Besides the audit users, the user a character refers to. */
const OTHER_USERS = ['playerOwner'];

/** Audit users and player owner, joined in the same query as the characters. */
function includes(): Includeable[] {
  return auditUsersInclude(Character, OTHER_USERS);
}

/** Characters: members read; OWNER and GM write all; a PLAYER writes their own. */
export class CharacterService {
  constructor(private readonly sequelize: Sequelize) {}

  /** A page of the characters the user can see, filtered and sorted. */
  async list(
    userId: number,
    options: ListOptions & { playerOwnerId?: number | undefined },
  ): Promise<ListPage<Character>> {
    if (options.campaignId !== undefined) await accessCampaign(options.campaignId, userId);
    const extra =
      options.playerOwnerId !== undefined ? { playerOwnerId: options.playerOwnerId } : {};
    const rows = await findAudited(Character, {
      ...listQuery<Character>(this.sequelize, userId, options, extra),
      otherUsers: OTHER_USERS,
    });
    return toPage(rows, options);
  }

  /** One character, if the user is a member of its campaign. */
  async get(id: number, userId: number): Promise<Character> {
    return (await this.find(id, userId)).character;
  }

  /** Creates a character; its player owner defaults to the caller and must be a member. */
  async create(
    userId: number,
    input: CharacterInput & { campaignId: number; name: string },
  ): Promise<Character> {
    const { role } = await accessCampaign(input.campaignId, userId);
    const playerOwnerId = input.playerOwnerId ?? userId;
    if (!canCreateCharacter(role, userId, playerOwnerId)) {
      throw new ForbiddenError(
        role === 'PLAYER'
          ? 'A PLAYER can only create characters they own'
          : `Your role (${role}) cannot create characters`,
      );
    }
    if (playerOwnerId !== userId) await this.requireMember(input.campaignId, playerOwnerId);
    // The answer is read in the write's transaction: a DELETE committed
    // right after cannot turn a successful create into a 404.
    return this.sequelize.transaction(async (transaction) => {
      const character = await Character.create(
        { ...defined(input), name: input.name, campaignId: input.campaignId, playerOwnerId },
        { transaction },
      );
      return this.reload(character.id, transaction);
    });
  }

  /**
   * Changes a character; only OWNER and GM may hand it to another player. The
   * row is locked (FOR UPDATE) before the permission check and written in the
   * same transaction, so a concurrent hand-over either commits before the
   * check (which then sees the new owner) or waits for the write. A
   * `precondition` (If-Match) is checked under the same lock.
   */
  async update(
    id: number,
    userId: number,
    input: CharacterInput,
    precondition?: Precondition<Character>,
  ): Promise<Character> {
    return this.sequelize.transaction(async (transaction) => {
      const { character, access } = await this.findLocked(id, userId, transaction);
      this.requireEditable(access, userId, character);
      await requireUnchanged(precondition, () => this.reload(id, transaction), `Character ${id}`);
      if (input.playerOwnerId !== undefined && input.playerOwnerId !== character.playerOwnerId) {
        if (!isEditor(access.role)) {
          throw new ForbiddenError('Only the OWNER or a GM can give a character to another player');
        }
        await this.requireMember(character.campaignId, input.playerOwnerId, transaction);
      }
      await character.update(defined(input), { transaction });
      // Read under the row lock: a DELETE waiting on it cannot make the
      // answer a 404 once this change has committed.
      return this.reload(id, transaction);
    });
  }

  /** Deletes a character, under the same row lock (and `precondition`) as update. */
  async remove(id: number, userId: number, precondition?: Precondition<Character>): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      const { character, access } = await this.findLocked(id, userId, transaction);
      this.requireEditable(access, userId, character);
      await requireUnchanged(precondition, () => this.reload(id, transaction), `Character ${id}`);
      // The row count decides: of concurrent deletes exactly one removes the row.
      const deleted = await Character.destroy({ where: { id }, transaction });
      if (deleted !== 1) throw new NotFoundError(`Character ${id} not found`);
    });
  }

  /**
   * The character locked FOR UPDATE in `transaction` (without joins: a lock
   * cannot cover the nullable side of an outer join) and the caller's access.
   * A row deleted meanwhile is not found.
   */
  private async findLocked(
    id: number,
    userId: number,
    transaction: Transaction,
  ): Promise<{ character: Character; access: CampaignAccess }> {
    const character = await Character.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    const access =
      character &&
      (await accessCampaign(character.campaignId, userId, { transaction }).catch(notFoundAsNull));
    if (!character || !access) throw new NotFoundError(`Character ${id} not found`);
    return { character, access };
  }

  private async find(
    id: number,
    userId: number,
  ): Promise<{ character: Character; access: CampaignAccess }> {
    const character = await Character.findByPk(id, { include: includes() });
    const access =
      character && (await accessCampaign(character.campaignId, userId).catch(notFoundAsNull));
    if (!character || !access) throw new NotFoundError(`Character ${id} not found`);
    return { character, access };
  }

  /** The character as responses show it, with its users (after a write, or under its lock). */
  private async reload(id: number, transaction?: Transaction): Promise<Character> {
    const character = await Character.findByPk(id, { include: includes(), transaction });
    if (!character) throw new NotFoundError(`Character ${id} not found`);
    return character;
  }

  private requireEditable(access: CampaignAccess, userId: number, character: Character): void {
    if (!canEditCharacter(access.role, userId, character.playerOwnerId)) {
      throw new ForbiddenError(
        access.role === 'PLAYER'
          ? 'A PLAYER can only change the characters they own'
          : `Your role (${access.role}) cannot change characters`,
      );
    }
  }

  private async requireMember(
    campaignId: number,
    userId: number,
    transaction?: Transaction,
  ): Promise<void> {
    const member = await CampaignMembership.findOne({ where: { campaignId, userId }, transaction });
    if (!member) {
      throw new ValidationError(`playerOwnerId: user ${userId} is not a member of this campaign`, [
        { field: 'body.playerOwnerId', message: 'must be a member of the campaign' },
      ]);
    }
  }
}
