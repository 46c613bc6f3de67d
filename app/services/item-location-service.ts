import type { Sequelize } from 'sequelize';
import { ForbiddenError, NotFoundError } from '../errors';
import type { Item, Location } from '../../models';
import { accessCampaign } from './campaign-access';
import { auditUserIncludes } from './audit-users';
import { defined } from './campaign-service';
import { listOrder, listWhere, toPage, type ListOptions, type ListPage } from './content-list';
import { canCreateItemOrLocation, canEditItemOrLocation } from './permissions';

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

  /** A page of the rows the user can see, filtered and sorted. */
  async list(userId: number, options: ListOptions): Promise<ListPage<T>> {
    if (options.campaignId !== undefined) await accessCampaign(options.campaignId, userId);
    const rows = await (this.model as typeof Item).findAll({
      where: listWhere(this.sequelize, userId, options),
      include: auditUserIncludes(),
      order: listOrder(options.sort),
      limit: options.limit + 1,
      offset: options.offset,
    });
    return toPage(rows as unknown as T[], options);
  }

  /** One row, if the user is a member of its campaign. */
  async get(id: number, userId: number): Promise<T> {
    const row = await (this.model as typeof Item).findByPk(id, {
      include: auditUserIncludes(),
    });
    if (!row) throw new NotFoundError(`${this.label} ${id} not found`);
    await this.visible(row, userId);
    return row as unknown as T;
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
    const row = await (this.model as typeof Item).create({
      ...defined(input),
      name: input.name,
      campaignId: input.campaignId,
    });
    return this.get(row.id, userId);
  }

  /** Changes name or description. */
  async update(id: number, userId: number, input: ThingInput): Promise<T> {
    const row = await this.get(id, userId);
    await this.editable(row, userId);
    await row.update(defined(input));
    return this.get(id, userId);
  }

  /** Deletes a row. */
  async remove(id: number, userId: number): Promise<void> {
    const row = await this.get(id, userId);
    await this.editable(row, userId);
    await row.destroy();
  }

  private async visible(row: Thing, userId: number) {
    try {
      return await accessCampaign(row.campaignId, userId);
    } catch (error) {
      if (error instanceof NotFoundError)
        throw new NotFoundError(`${this.label} ${row.id} not found`);
      throw error;
    }
  }

  private async editable(row: Thing, userId: number): Promise<void> {
    const { role } = await this.visible(row, userId);
    if (!canEditItemOrLocation(role)) {
      throw new ForbiddenError(`Your role (${role}) cannot change a ${this.label.toLowerCase()}`);
    }
  }
}
