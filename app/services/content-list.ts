import { Op, literal, type Sequelize, type WhereOptions } from 'sequelize';

export type SortKey = '-updatedAt' | 'updatedAt' | '-createdAt' | 'createdAt';

/** Filters, sort and page of a character, item or location list. */
export interface ListOptions {
  campaignId?: number | undefined;
  createdBy?: number | undefined;
  modifiedBy?: number | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
  updatedAfter?: string | undefined;
  updatedBefore?: string | undefined;
  q?: string | undefined;
  sort: SortKey;
  limit: number;
  offset: number;
}

/** One page of rows, and the offset of the next page (null on the last). */
export interface ListPage<T> {
  rows: T[];
  limit: number;
  offset: number;
  nextOffset: number | null;
}

/** `%` and `_` in a search term match themselves, not any character. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function range(after: string | undefined, before: string | undefined): object | undefined {
  if (!after && !before) return undefined;
  return {
    ...(after ? { [Op.gte]: new Date(after) } : {}),
    ...(before ? { [Op.lt]: new Date(before) } : {}),
  };
}

/**
 * The WHERE of a list: the filters, restricted to campaigns the user is a
 * member of (a sub-select, so listing all of one's content is one query).
 */
export function listWhere(
  sequelize: Sequelize,
  userId: number,
  options: ListOptions,
  extra: Record<string, unknown> = {},
): WhereOptions {
  const where: Record<string | symbol, unknown> = { ...extra };
  where.campaignId = options.campaignId ?? {
    [Op.in]: literal(
      `(SELECT campaign_id FROM campaign_memberships WHERE user_id = ${sequelize.escape(userId)})`,
    ),
  };
  if (options.createdBy !== undefined) where.createdBy = options.createdBy;
  if (options.modifiedBy !== undefined) where.modifiedBy = options.modifiedBy;
  const created = range(options.createdAfter, options.createdBefore);
  if (created) where.createdAt = created;
  const updated = range(options.updatedAfter, options.updatedBefore);
  if (updated) where.updatedAt = updated;
  if (options.q) where.name = { [Op.iLike]: `%${escapeLike(options.q)}%` };
  return where as WhereOptions;
}

/** ORDER BY for a sort key, with the id as tie-breaker so pages are stable. */
export function listOrder(sort: SortKey): Array<[string, 'ASC' | 'DESC']> {
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  return [
    [sort.replace('-', ''), direction],
    ['id', direction],
  ];
}

/** Cuts the one extra row fetched to learn whether another page follows. */
export function toPage<T>(rows: T[], options: ListOptions): ListPage<T> {
  const more = rows.length > options.limit;
  return {
    rows: more ? rows.slice(0, options.limit) : rows,
    limit: options.limit,
    offset: options.offset,
    nextOffset: more ? options.offset + options.limit : null,
  };
}
