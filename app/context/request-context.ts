import { AsyncLocalStorage } from 'node:async_hooks';

/** Where a write comes from; recorded in logs and metrics. */
export type ContextSource = 'http' | 'cli' | 'seed' | 'job' | 'migration' | 'test';

/** Who is acting, for the audit fields: a user id. */
export interface Actor {
  readonly userId: number;
}

export interface RequestContext {
  /** Null until authentication has identified the user (or for anonymous requests). */
  actor: Actor | null;
  readonly requestId: string | undefined;
  readonly source: ContextSource;
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
 * Sets the actor of the current context (authentication does this once it
 * knows the user). Throws outside a context: a silent no-op would leave
 * writes unattributed.
 */
export function setActor(actor: Actor | null): void {
  const context = storage.getStore();
  if (!context) throw new Error('setActor() called outside a request context');
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
  const resolved = typeof actor === 'number' ? { userId: actor } : actor;
  return storage.run({ actor: resolved, requestId: currentContext()?.requestId, source }, fn);
}
