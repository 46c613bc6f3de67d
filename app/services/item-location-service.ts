import type { Sequelize, Transaction } from 'sequelize';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Item, Location } from '../../models';
import { auditUsersInclude, findAudited } from '../../models/mixins/audit-queries';
import { accessCampaign, notFoundAsNull, type CampaignAccess } from './campaign-access';
import { defined } from './campaign-service';
import { listQuery, toPage, type ListOptions, type ListPage } from './content-list';
import { canCreateItemOrLocation, canEditItemOrLocation } from './permissions';
import { requireUnchanged, type Precondition } from './precondition';

export interface ThingInput {
  name?: string | undefined;
  description?: string | undefined;
}

type Thing = Item | Location;
type ThingModel = typeof Item | typeof Location;

/**
 * Items and locations, which follow the same rules: members read; OWNER and
 * GM write; a PLAYER creates only when the campaign allows it.
 */
export class ItemLocationService<T extends Thing> {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly model: ThingModel,
    /** "Item" or "Location", for messages. */
    private readonly label: string,
  ) {}

  // One static type for both models' query methods, which are identical.
  private get rows(): typeof Item {
    return this.model as typeof Item;
  }

  /** A page of the rows the user can see, filtered and sorted. */
  async list(userId: number, options: ListOptions): Promise<ListPage<T>> {
    if (options.campaignId !== undefined) await accessCampaign(options.campaignId, userId);
    const rows = await findAudited(this.rows, listQuery<Item>(this.sequelize, userId, options));
    return toPage(rows as unknown as T[], options);
  }

  /** One row, if the user is a member of its campaign. */
  async get(id: number, userId: number): Promise<T> {
    return (await this.find(id, userId)).row;
  }

  /** Creates a row in a campaign. */
  async create(
    userId: number,
    input: ThingInput & { campaignId: number; name: string },
  ): Promise<T> {
    const { role, campaign } = await accessCampaign(input.campaignId, userId);
    if (!canCreateItemOrLocation(role, campaign.playersCanCreateContent)) {
      throw new ForbiddenError(
        role === 'PLAYER'
          ? `Players cannot create a ${this.label.toLowerCase()} in this campaign (playersCanCreateContent is off)`
          : `Your role (${role}) cannot create a ${this.label.toLowerCase()}`,
      );
    }
    // The answer is read in the write's transaction: a DELETE committed
    // right after cannot turn a successful create into a 404.
    return this.sequelize.transaction(async (transaction) => {
      const row = await this.rows.create(
        { ...defined(input), name: input.name, campaignId: input.campaignId },
        { transaction },
      );
      return this.reload(row.id, transaction);
    });
  }

  /**
   * Changes name or description. The row is locked (FOR UPDATE) before the
   * permission check and written in the same transaction, so the check holds
   * for the write. A `precondition` (If-Match) is checked under the same lock.
   */
  async update(
    id: number,
    userId: number,
    input: ThingInput,
    precondition?: Precondition<T>,
  ): Promise<T> {
    return this.sequelize.transaction(async (transaction) => {
      const { row, access } = await this.findLocked(id, userId, transaction);
      this.requireEditor(access);
      await requireUnchanged(precondition, () => this.reload(id, transaction), this.named(id));
      await row.update(defined(input), { transaction });
      // Read under the row lock: a DELETE waiting on it cannot make the
      // answer a 404 once this change has committed.
      return this.reload(id, transaction);
    });
  }

  /** Deletes a row, under the same row lock (and `precondition`) as update. */
  async remove(id: number, userId: number, precondition?: Precondition<T>): Promise<void> {
    await this.sequelize.transaction(async (transaction) => {
      const { row, access } = await this.findLocked(id, userId, transaction);
      this.requireEditor(access);
      await requireUnchanged(precondition, () => this.reload(id, transaction), this.named(id));
      // The row count decides: of concurrent deletes exactly one removes the row.
      const deleted = await this.rows.destroy({ where: { id: row.id }, transaction });
      if (deleted !== 1) throw new NotFoundError(`${this.label} ${id} not found`);
    });
  }

  /** The row locked FOR UPDATE in `transaction` (no joins), and the caller's access. */
  private async findLocked(
    id: number,
    userId: number,
    transaction: Transaction,
  ): Promise<{ row: T; access: CampaignAccess }> {
    const row = await this.rows.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
    const access =
      row && (await accessCampaign(row.campaignId, userId, { transaction }).catch(notFoundAsNull));
    if (!row || !access) throw new NotFoundError(`${this.label} ${id} not found`);
    return { row: row as unknown as T, access };
  }

  private async find(id: number, userId: number): Promise<{ row: T; access: CampaignAccess }> {
    const row = await this.rows.findByPk(id, { include: auditUsersInclude(this.model) });
    const access = row && (await accessCampaign(row.campaignId, userId).catch(notFoundAsNull));
    if (!row || !access) throw new NotFoundError(`${this.label} ${id} not found`);
    return { row: row as unknown as T, access };
  }

  /** The row as responses show it, with its audit users (after a write, or under its lock). */
  private async reload(id: number, transaction?: Transaction): Promise<T> {
    const row = await this.rows.findByPk(id, {
      include: auditUsersInclude(this.model),
      transaction,
    });
    if (!row) throw new NotFoundError(`${this.label} ${id} not found`);
    return row as unknown as T;
  }

  private named(id: number): string {
    return `${this.label} ${id}`;
  }

  private requireEditor({ role }: CampaignAccess): void {
    if (!canEditItemOrLocation(role)) {
      throw new ForbiddenError(`Your role (${role}) cannot change a ${this.label.toLowerCase()}`);
    }
  }
}
