import { ValidationError } from '../../app/errors';

/**
 * A write to an audited model with no acting user: no `{ user }` option,
 * no actor in the request context. Refused rather than stored unattributed.
 */
export class MissingActorError extends Error {
  override readonly name = 'MissingActorError';
  constructor(modelName: string) {
    super(
      `Cannot write ${modelName} without an acting user: pass { user } to the call, ` +
        'run it inside runAs(userId, fn), or inside a request whose user is authenticated.',
    );
  }
}

/** The `{ user }` option is neither a user id nor a saved User. */
export class InvalidAuditUserError extends Error {
  override readonly name = 'InvalidAuditUserError';
}

/**
 * A caller tried to set an audit field itself. The mixin owns them: createdBy
 * is written once on create, modifiedBy on every real change. A 400 over HTTP.
 */
export class AuditFieldError extends ValidationError {
  constructor(
    modelName: string,
    readonly field: 'createdBy' | 'modifiedBy',
    reason: string,
  ) {
    super(`${modelName}.${field} is set from the acting user and cannot be written: ${reason}`, [
      { field, message: `is set from the acting user and cannot be written: ${reason}` },
    ]);
  }
}
