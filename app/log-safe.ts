import { DatabaseError } from 'pg';
import { BaseError } from 'sequelize';

/** What the log keeps of a failure: never SQL text, bind parameters or driver messages. */
export interface SafeError {
  type: string;
  message?: string;
  stack?: string;
  sqlState?: string;
  constraint?: string;
  table?: string;
  column?: string;
  fields?: string[];
  /** The driver error this one wraps, reduced the same way. */
  cause?: SafeError;
}

interface DriverError {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/**
 * An error the PostgreSQL driver raised for a server's answer, whoever let it
 * through: Sequelize wraps its own, but a library on the same database (the
 * rate limiter) hands over the driver's error as it is. Its message may
 * quote a value; its stack says nothing the log needs.
 */
function isDriverError(error: Error): boolean {
  const fields = error as { code?: unknown; severity?: unknown };
  return (
    error instanceof DatabaseError ||
    (typeof fields.severity === 'string' &&
      typeof fields.code === 'string' &&
      /^[0-9A-Z]{5}$/.test(fields.code))
  );
}

/** The parts of a driver error that name what failed without quoting any value. */
function driverFields(driver: DriverError): Partial<SafeError> {
  return {
    ...(driver.code ? { sqlState: driver.code } : {}),
    ...(driver.constraint ? { constraint: driver.constraint } : {}),
    ...(driver.table ? { table: driver.table } : {}),
    ...(driver.column ? { column: driver.column } : {}),
  };
}

/**
 * The `err` serializer of every logger. A database error is reduced to its
 * class, SQLSTATE, constraint, table and column: its SQL, its parameters and
 * even the driver's message (which can quote a value, e.g. "invalid input
 * syntax ... "secret"") may hold passwords, hashes, emails or user content.
 * So is a driver error that a library passes on unwrapped (its message
 * and stack are dropped too). Other errors keep their message and stack.
 */
export function serializeError(value: unknown): SafeError | unknown {
  // pino-http hands over pino's own serialisation, which keeps the original as `raw`.
  const error = (value as { raw?: unknown } | null)?.raw ?? value;
  if (!(error instanceof Error)) return value;
  if (error instanceof BaseError) {
    const driver = ((error as { parent?: DriverError }).parent ?? {}) as DriverError;
    const fields = (error as { fields?: unknown }).fields;
    const items = (error as { errors?: Array<{ path?: string }> }).errors;
    const names = Array.isArray(fields)
      ? fields.map(String)
      : fields && typeof fields === 'object'
        ? Object.keys(fields)
        : items?.map((item) => String(item.path));
    return {
      type: error.name,
      ...driverFields(driver),
      ...(names && names.length > 0 ? { fields: names } : {}),
    };
  }
  if (isDriverError(error)) return { type: error.name, ...driverFields(error as DriverError) };
  // An error wrapping a driver error (`cause`) keeps its own message, not the driver's.
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error && isDriverError(cause)) {
    return {
      type: error.name,
      message: error.message,
      stack: error.stack,
      cause: { type: cause.name, ...driverFields(cause as DriverError) },
    };
  }
  return { type: error.name, message: error.message, stack: error.stack };
}

/**
 * A request URL for the log: the path, and the query's parameter names with
 * their values redacted (a careless client may put a token there).
 */
export function redactQuery(url: string): string {
  const mark = url.indexOf('?');
  if (mark < 0) return url;
  const names = url
    .slice(mark + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => `${pair.split('=')[0]}=[redacted]`);
  return `${url.slice(0, mark)}?${names.join('&')}`;
}
