// One source for who is acting. In a request, authentication sets the actor
// once; the route hands that same actor to its service as the caller, and the
// audit stamp reads it from here, so the two cannot disagree. Inside a
// request, runAs(actor, fn) is an explicit, scoped choice (like a write's
// `{ user }` option): writes inside fn are stamped with that actor, while the
// request's caller, which the route read before calling its service, stays
// what authentication set, and is the actor again once fn returns. Nothing
// replaces a context's actor once set.
import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a write comes from; recorded in logs and metrics. */
export type ContextSource = 'http' | 'cli' | 'seed' | 'job' | 'migration' | 'test';

/** Who is acting, for the audit fields: a user id. */
export interface Actor {
  readonly userId: number;
  /**
   * The bearer token that authenticated the user, when the actor is a
   * request's authenticated caller (logout revokes it); absent under runAs.
   */
  readonly tokenId?: number;
}

export interface RequestContext {
  /** Null until authentication has identified the user (or for anonymous requests). */
  actor: Actor | null;
  readonly requestId: string | undefined;
  readonly source: ContextSource;
  /** What the history records as the source instead of `source`, for writes in withHistorySource. */
  readonly historySource?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `fn` inside a new context; the HTTP middleware opens one per request. */
export function runInContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The current context, if any. */
export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

/** The acting user of the current context, or undefined outside one or before authentication. */
export function getActor(): Actor | undefined {
  return storage.getStore()?.actor ?? undefined;
}

/**
 * Sets the actor of the current context, once (authentication does this when
 * it knows the user). Throws outside a context, since a silent no-op would
 * leave writes unattributed, and when the context has an actor already, since
 * replacing it would let what a route was told and what is stamped differ:
 * use runAs for another actor.
 */
export function setActor(actor: Actor): void {
  const context = storage.getStore();
  if (!context) throw new Error('setActor() called outside a request context');
  if (context.actor) {
    throw new Error(
      `setActor() called on a context whose actor is user ${context.actor.userId} already; use runAs() to act as another user`,
    );
  }
  context.actor = actor;
}

/**
 * Runs `fn` as `actor`, for seeders, jobs and commands. Nested calls restore
 * the outer actor when they return, since each opens its own context.
 */
export function runAs<T>(
  actor: Actor | number,
  fn: () => T,
  source: ContextSource = currentContext()?.source ?? 'job',
): T {
  const resolved = typeof actor === 'number' ? { userId: actor } : { userId: actor.userId };
  return storage.run({ actor: resolved, requestId: currentContext()?.requestId, source }, fn);
}
