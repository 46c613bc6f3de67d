import type { Includeable } from 'sequelize';
import { User } from '../../models';

/** The columns of a user embedded in a response. */
export const USER_SUMMARY_ATTRIBUTES = ['id', 'username', 'displayName'];

/**
 * Eager includes of the users who created and last modified a row
 * (`createdByUser`, `modifiedByUser` from the audit mixin): LEFT JOINs in the
 * same query, so a list costs one round trip, not one per row.
 */
export function auditUserIncludes(): Includeable[] {
  return ['createdByUser', 'modifiedByUser'].map((as) => ({
    model: User,
    as,
    attributes: USER_SUMMARY_ATTRIBUTES,
  }));
}
