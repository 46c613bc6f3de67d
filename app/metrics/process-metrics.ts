import { collectDefaultMetrics, Registry } from 'prom-client';

let registry: Registry | undefined;

/**
 * prom-client's default process metrics (event loop lag, heap, GC, open
 * handles, CPU, memory, file descriptors) in a registry of their own, made
 * once per process: each call of collectDefaultMetrics starts its own event
 * loop monitor, and tests build many apps in one process.
 */
export function processMetrics(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
