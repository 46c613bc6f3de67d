import pino, { type DestinationStream, type Logger } from 'pino';
import { serializeError } from './log-safe';

/**
 * Structured JSON logs on stdout (or `destination`); one logger per process,
 * children per request. Errors are logged without SQL, parameters or values.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'gma' }, serializers: { err: serializeError } };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
