import { getActor } from '../../app/context';
import { InvalidAuditUserError, MissingActorError } from './audit-errors';

/** Who a write is made by, when named on the call: a user id or a saved user. */
export type AuditUser = number | { readonly id: number | undefined };

declare module 'sequelize/types/model' {
  // Every option type of a hook-running write extends Hookable; increments do not.
  interface Hookable {
    /** The acting user for the audit fields; beats the request context. */
    user?: AuditUser | null;
  }
  interface IncrementDecrementOptions {
    /** The acting user for the audit fields; beats the request context. */
    user?: AuditUser | null;
  }
}

/**
 * The acting user's id for a write: the call's `{ user }` option, else the
 * context's actor; with neither, a MissingActorError.
 */
export function resolveActorId(options: { user?: unknown } | undefined, modelName: string): number {
  const explicit = options?.user;
  if (explicit !== undefined && explicit !== null) return toUserId(explicit);
  const actor = getActor();
  if (actor) return actor.userId;
  throw new MissingActorError(modelName);
}

function toUserId(user: unknown): number {
  const id = typeof user === 'object' ? (user as { id?: unknown }).id : user;
  if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return id;
  throw new InvalidAuditUserError(
    `The { user } option must be a user id or a saved User, got ${JSON.stringify(id ?? user)}`,
  );
}

/** The acting user's id for a write, if there is one (a delete needs none). */
export function resolveOptionalActorId(
  options: { user?: unknown } | undefined,
): number | undefined {
  const explicit = options?.user;
  if (explicit !== undefined && explicit !== null) return toUserId(explicit);
  return getActor()?.userId;
}
