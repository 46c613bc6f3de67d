// Queries over the audit fields, as the seed shows them: by creator, by
// created_at range, newest first by updated_at, and the audit users (and a
// character's player) eager-loaded in the same query. Each filter and the
// order use an index from the audit migrations.
import {
  Op,
  type Attributes,
  type FindOptions,
  type Includeable,
  type Model,
  type ModelStatic,
  type Order,
  type Transaction,
  type WhereOptions,
} from 'sequelize';

/** Columns of a user loaded next to an audited row: never the password hash. */
export const AUDIT_USER_ATTRIBUTES = ['id', 'username', 'displayName'];

/** Newest first by updatedAt; the id breaks ties so pages are stable. */
export const NEWEST_FIRST: Order = [
  ['updatedAt', 'DESC'],
  ['id', 'DESC'],
];

/** Filters on the audit fields; each one that is set narrows the result. */
export interface AuditFilter {
  createdBy?: number;
  modifiedBy?: number;
  /** createdAt at or after this instant. */
  createdFrom?: Date;
  /** createdAt strictly before this instant. */
  createdBefore?: Date;
}

/** The WHERE conditions for the filters that are set. */
export function auditWhere(filter: AuditFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.createdBy !== undefined) where.createdBy = filter.createdBy;
  if (filter.modifiedBy !== undefined) where.modifiedBy = filter.modifiedBy;
  const createdAt: Record<symbol, Date> = {};
  if (filter.createdFrom) createdAt[Op.gte] = filter.createdFrom;
  if (filter.createdBefore) createdAt[Op.lt] = filter.createdBefore;
  if (Object.getOwnPropertySymbols(createdAt).length > 0) where.createdAt = createdAt;
  return where;
}

/** createdByUser, modifiedByUser and, on models that have it, playerOwner: LEFT JOINs of one query. */
export function auditUsersInclude(model: ModelStatic<Model>): Includeable[] {
  return ['createdByUser', 'modifiedByUser', 'playerOwner']
    .filter((as) => as in model.associations)
    .map((as) => ({ association: as, attributes: AUDIT_USER_ATTRIBUTES }));
}

/** Options of findAudited: audit filters plus paging and the caller's own conditions. */
export interface AuditQuery<M extends Model> extends AuditFilter {
  where?: WhereOptions<Attributes<M>>;
  /** Eager-load the audit users (and playerOwner) in the same query. */
  withUsers?: boolean;
  limit?: number;
  offset?: number;
  transaction?: Transaction;
}

/** Rows of an audited model matching `query`, newest first by updatedAt. */
export function findAudited<M extends Model>(
  model: ModelStatic<M>,
  query: AuditQuery<M> = {},
): Promise<M[]> {
  const options: FindOptions<Attributes<M>> = {
    where: { [Op.and]: [query.where ?? {}, auditWhere(query)] } as WhereOptions<Attributes<M>>,
    order: NEWEST_FIRST,
    limit: query.limit,
    offset: query.offset,
    transaction: query.transaction,
  };
  if (query.withUsers) options.include = auditUsersInclude(model);
  return model.findAll(options);
}
