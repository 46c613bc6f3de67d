import type { Includeable, ModelStatic, Model } from 'sequelize';

/** The columns of a user embedded in a response. */
export const USER_SUMMARY_ATTRIBUTES = ['id', 'username', 'displayName'];

/** Eager includes of the users who created and last modified a row: joined in the same query. */
export function auditUserIncludes(model: ModelStatic<Model>): Includeable[] {
  return ['createdByUser', 'modifiedByUser']
    .filter((as) => as in model.associations)
    .map((as) => ({ association: as, attributes: USER_SUMMARY_ATTRIBUTES }));
}
