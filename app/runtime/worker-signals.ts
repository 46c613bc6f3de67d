import type { StopSignals } from '../shutdown';

/** What the primary sends a worker on its second stop signal: cut the requests still running. */
export const STOP_NOW_MESSAGE = 'gma:stop-now';

type SignalName = 'SIGINT' | 'SIGTERM';

/**
 * A worker's stop signals. The first SIGTERM or SIGINT drains it, whether the
 * primary sent it (a stop of the whole server) or someone sent it to this
 * worker alone (the primary then forks a replacement). Later signals are
 * ignored: Ctrl-C in a terminal reaches every process of the group, and the
 * primary's own signal must not count twice. Only the primary decides to
 * cut requests short, by message, when it gets a second signal itself.
 */
export function watchWorkerStopSignals(): StopSignals {
  let stopping = false;
  let repeat: (signal: SignalName) => void = () => {};
  let resolveFirst: (signal: SignalName) => void = () => {};
  const first = new Promise<SignalName>((resolve) => (resolveFirst = resolve));
  const handle = (signal: SignalName) => {
    if (stopping) return;
    stopping = true;
    resolveFirst(signal);
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  process.on('message', (message: unknown) => {
    if (message === STOP_NOW_MESSAGE) repeat('SIGTERM');
  });
  return { first, onRepeat: (listener) => (repeat = listener) };
}
