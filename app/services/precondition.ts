import { PreconditionFailedError } from '../errors';

/**
 * What a conditional write (If-Match) requires of the row it changes or
 * deletes: that the row, as a response would show it to the caller, is still
 * the version the client read.
 */
export interface Precondition<T> {
  holds(current: T): boolean;
}

/**
 * Throws 412 unless `precondition` holds for the row `load` reads. Services
 * call it after locking the row (SELECT ... FOR UPDATE) and after the
 * permission check, in the transaction of the write: no other write can land
 * between the check and this one, so of two writes that read the same
 * version at most one passes. Without a precondition it reads nothing.
 */
export async function requireUnchanged<T>(
  precondition: Precondition<T> | undefined,
  load: () => Promise<T>,
  what: string,
): Promise<void> {
  if (!precondition) return;
  if (!precondition.holds(await load())) {
    throw new PreconditionFailedError(
      `${what} changed since the version sent in If-Match; nothing was written. Read it again (its ETag is new) and retry`,
    );
  }
}
