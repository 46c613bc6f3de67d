// The history's `source` says where a write came from (http, cli, seed...).
// Some use cases write the same rows for different reasons the row alone
// cannot tell apart (an invitation deleted: accepted, declined or revoked):
// they name the reason here, and the history records it as the source of
// every write made inside, in place of the context's own.
import { currentContext, runInContext } from './request-context';

/**
 * Runs `fn` with the history recording `source` for its writes; the actor,
 * request id and the context's own source (logs, metrics) stay as they are.
 * Outside any context, one without an actor is opened for `fn`.
 */
export function withHistorySource<T>(source: string, fn: () => T): T {
  const context = currentContext();
  return runInContext(
    context
      ? { ...context, historySource: source }
      : { actor: null, requestId: undefined, source: 'job', historySource: source },
    fn,
  );
}
