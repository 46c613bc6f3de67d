import type { Server } from 'node:http';
import type { Readiness } from './health/readiness';
import type { Logger } from './logger';

/** Requests still running this long after the server stops accepting are cut off. */
export const SHUTDOWN_GRACE_MS = 10_000;

type SignalName = 'SIGINT' | 'SIGTERM';

/** SIGINT and SIGTERM, watched from start-up on so that neither kills the process (and orphans the database). */
export interface StopSignals {
  /** Resolves with the first signal, even one received before this call. */
  readonly first: Promise<SignalName>;
  /** Called for every signal after the first. */
  onRepeat(listener: (signal: SignalName) => void): void;
}

/** Starts watching: a signal during start-up lets it finish, then the server stops at once. */
export function watchStopSignals(): StopSignals {
  let count = 0;
  let repeat: (signal: SignalName) => void = () => {};
  let resolveFirst: (signal: SignalName) => void = () => {};
  const first = new Promise<SignalName>((resolve) => (resolveFirst = resolve));
  const handle = (signal: SignalName) => {
    if (count++ === 0) resolveFirst(signal);
    else repeat(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return { first, onRepeat: (listener) => (repeat = listener) };
}

/**
 * Serves until the first signal, then: readiness fails at once, requests are
 * still served for `delayMs` (load balancers polling readiness stop sending
 * traffic meanwhile), then the server stops accepting, finishes in-flight
 * requests and resolves. A second signal cuts the requests still running.
 */
export async function serveUntilSignal(
  server: Server,
  signals: StopSignals,
  readiness: Readiness,
  delayMs: number,
  logger: Logger,
): Promise<void> {
  signals.onRepeat((signal) => {
    logger.warn({ signal }, 'second signal: closing every connection now');
    server.closeAllConnections();
  });
  const signal = await signals.first;
  readiness.markShuttingDown();
  logger.info({ signal, delayMs }, 'shutting down: readiness fails now');
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  logger.info('shutting down: finishing in-flight requests');
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS).unref();
  });
}
