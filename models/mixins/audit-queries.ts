// Queries over any audited model, the one definition services and responses
// use: filters on the audit fields and timestamps, newest-first order, and
// the audit users (plus any other user a row refers to, such as a
// character's player) eager-loaded in the same query, without password
// hashes. Each filter and the default order use an index from the audit
// migrations.
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
import type { User } from '../user';

/** Columns of a user loaded next to an audited row, in response order: never the password hash. */
export const AUDIT_USER_ATTRIBUTES = [
  'id',
  'username',
  'displayName',
] as const satisfies ReadonlyArray<keyof User>;

/** A user as loaded next to an audited row. */
export type AuditUserSummary = Pick<User, (typeof AUDIT_USER_ATTRIBUTES)[number]>;

/** The associations the audit mixin declares on every audited model (`associateAuditUsers`). */
export const AUDIT_USER_ASSOCIATIONS = ['createdByUser', 'modifiedByUser'] as const;

/** A sort of an audited list: by updatedAt or createdAt, `-` for newest first. */
export type AuditSort = '-updatedAt' | 'updatedAt' | '-createdAt' | 'createdAt';

/** ORDER BY for a sort, with the id as tie-breaker so pages are stable. */
export function auditOrder(sort: AuditSort = '-updatedAt'): Order {
  const direction = sort.startsWith('-') ? 'DESC' : 'ASC';
  return [
    [sort.replace('-', ''), direction],
    ['id', direction],
  ];
}

/** Newest first by updatedAt; the id breaks ties so pages are stable. */
export const NEWEST_FIRST: Order = auditOrder('-updatedAt');

/** Filters on the audit fields and timestamps; each one that is set narrows the result. */
export interface AuditFilter {
  createdBy?: number | undefined;
  modifiedBy?: number | undefined;
  /** createdAt at or after this instant. */
  createdFrom?: Date | undefined;
  /** createdAt strictly before this instant. */
  createdBefore?: Date | undefined;
  /** updatedAt at or after this instant. */
  updatedFrom?: Date | undefined;
  /** updatedAt strictly before this instant. */
  updatedBefore?: Date | undefined;
}

function range(from: Date | undefined, before: Date | undefined): object | undefined {
  if (!from && !before) return undefined;
  return {
    ...(from ? { [Op.gte]: from } : {}),
    ...(before ? { [Op.lt]: before } : {}),
  };
}

/** The WHERE conditions for the filters that are set. */
export function auditWhere(filter: AuditFilter): Record<string, unknown> {
  const where: Record<string, unknown> = {};
  if (filter.createdBy !== undefined) where.createdBy = filter.createdBy;
  if (filter.modifiedBy !== undefined) where.modifiedBy = filter.modifiedBy;
  const created = range(filter.createdFrom, filter.createdBefore);
  if (created) where.createdAt = created;
  const updated = range(filter.updatedFrom, filter.updatedBefore);
  if (updated) where.updatedAt = updated;
  return where;
}

/**
 * createdByUser, modifiedByUser and the model's `otherUsers` associations (a
 * character's `playerOwner`): LEFT JOINs of the same query, each with the
 * public columns only. An association the model lacks is an error, not a
 * silently missing user.
 */
export function auditUsersInclude(
  model: ModelStatic<Model>,
  otherUsers: readonly string[] = [],
): Includeable[] {
  return [...AUDIT_USER_ASSOCIATIONS, ...otherUsers].map((as) => {
    if (!(as in model.associations)) {
      throw new Error(`${model.name} has no association "${as}" to load a user through`);
    }
    return { association: as, attributes: [...AUDIT_USER_ATTRIBUTES] };
  });
}

/** Options of findAudited: audit filters plus order, paging and the caller's own conditions. */
export interface AuditQuery<M extends Model> extends AuditFilter {
  where?: WhereOptions<Attributes<M>>;
  /** Default: newest first by updatedAt. */
  sort?: AuditSort;
  /** Eager-load the audit users in the same query. */
  withUsers?: boolean;
  /** Further user associations to load with them, e.g. `['playerOwner']`. */
  otherUsers?: readonly string[];
  limit?: number;
  offset?: number;
  transaction?: Transaction;
}

/** Rows of an audited model matching `query`, in its order (newest update first by default). */
export function findAudited<M extends Model>(
  model: ModelStatic<M>,
  query: AuditQuery<M> = {},
): Promise<M[]> {
  const options: FindOptions<Attributes<M>> = {
    where: { [Op.and]: [query.where ?? {}, auditWhere(query)] } as WhereOptions<Attributes<M>>,
    order: auditOrder(query.sort),
    limit: query.limit,
    offset: query.offset,
    transaction: query.transaction,
  };
  if (query.withUsers) options.include = auditUsersInclude(model, query.otherUsers);
  return model.findAll(options);
}
