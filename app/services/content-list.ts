import { Op, literal, type Model, type Sequelize, type WhereOptions } from 'sequelize';
import type { AuditQuery, AuditSort } from '../../models/mixins/audit-queries';

export type SortKey = AuditSort;

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

const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);

/**
 * A list as `findAudited` runs it: the audit filters, sort and users, the
 * campaigns the user is a member of (a sub-select, so listing all of one's
 * content is one query), the name search, `extra` conditions, and one row
 * more than the page to learn whether another follows.
 */
export function listQuery<M extends Model>(
  sequelize: Sequelize,
  userId: number,
  options: ListOptions,
  extra: Record<string, unknown> = {},
): AuditQuery<M> {
  const where: Record<string | symbol, unknown> = { ...extra };
  where.campaignId = options.campaignId ?? {
    [Op.in]: literal(
      `(SELECT campaign_id FROM campaign_memberships WHERE user_id = ${sequelize.escape(userId)})`,
    ),
  };
  if (options.q) where.name = { [Op.iLike]: `%${escapeLike(options.q)}%` };
  return {
    where: where as WhereOptions<M>,
    createdBy: options.createdBy,
    modifiedBy: options.modifiedBy,
    createdFrom: date(options.createdAfter),
    createdBefore: date(options.createdBefore),
    updatedFrom: date(options.updatedAfter),
    updatedBefore: date(options.updatedBefore),
    sort: options.sort,
    withUsers: true,
    limit: options.limit + 1,
    offset: options.offset,
  };
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
