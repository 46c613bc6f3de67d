/** One refused field of a 400 (`body.name`, `query.limit`, ...). */
export interface FieldIssue {
  field: string;
  message: string;
}

/**
 * Details of a failed request, returned under `error.details`: one shape per
 * status, as the OpenAPI document states (app/http/schemas/errors.ts).
 */
export type ErrorDetails =
  | FieldIssue[]
  | { fields: string[] }
  | { reason: NotRestorableReason }
  | { allow: string[] }
  | { retryAfterSeconds: number }
  | { limitBytes: number };

/**
 * An error with an HTTP meaning: status, stable code, message and details.
 * Services throw these; one middleware turns them into responses.
 */
export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
  }
}

export class ValidationError extends AppError {
  override readonly name = 'ValidationError';
  constructor(message: string, details?: ErrorDetails) {
    super(400, 'validation_failed', message, details);
  }
}

export class UnauthorizedError extends AppError {
  override readonly name = 'UnauthorizedError';
  constructor(message = 'Authentication required: send Authorization: Bearer <token>') {
    super(401, 'unauthorized', message);
  }
}

export class ForbiddenError extends AppError {
  override readonly name = 'ForbiddenError';
  constructor(message = 'You do not have permission to do this') {
    super(403, 'forbidden', message);
  }
}

export class NotFoundError extends AppError {
  override readonly name = 'NotFoundError';
  constructor(message = 'Not found') {
    super(404, 'not_found', message);
  }
}

export class ConflictError extends AppError {
  override readonly name = 'ConflictError';
  constructor(message: string, details?: ErrorDetails) {
    super(409, 'conflict', message, details);
  }
}

/** Why a deleted row cannot be restored (404 `details.reason`). */
export type NotRestorableReason = 'campaign_deleted' | 'history_pruned';

/**
 * POST .../:id/restore on a row nothing can bring back: its campaign was
 * deleted, or no delete entry of it is kept (pruned, or it never existed).
 */
export class NotRestorableError extends AppError {
  override readonly name = 'NotRestorableError';
  constructor(
    message: string,
    readonly reason: NotRestorableReason,
  ) {
    super(404, 'not_found', message, { reason });
  }
}

/**
 * A revert whose entry's changes no longer hold: each of `fields` was
 * changed again since. Answered with the fields under `error.fields` (and
 * `details.fields`, as other conflicts); nothing was written.
 */
export class RevertConflictError extends AppError {
  override readonly name = 'RevertConflictError';
  constructor(
    message: string,
    readonly fields: string[],
  ) {
    super(409, 'conflict', message, { fields });
  }
}

/** A conditional write (If-Match) whose row changed since the client read it: nothing was written. */
export class PreconditionFailedError extends AppError {
  override readonly name = 'PreconditionFailedError';
  constructor(message: string) {
    super(412, 'precondition_failed', message);
  }
}

export class TooManyRequestsError extends AppError {
  override readonly name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too_many_requests', message, { retryAfterSeconds });
  }
}

export class MethodNotAllowedError extends AppError {
  override readonly name = 'MethodNotAllowedError';
  constructor(
    method: string,
    path: string,
    /** Methods the route serves, for the Allow header. */
    readonly allow: string[],
  ) {
    super(
      405,
      'method_not_allowed',
      `${method} is not supported on ${path}; use ${allow.join(', ')}`,
      { allow },
    );
  }
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly name = 'UnsupportedMediaTypeError';
  constructor(message = 'Send the request body as JSON: Content-Type: application/json') {
    super(415, 'unsupported_media_type', message);
  }
}

export class SchemaNotReadyError extends AppError {
  override readonly name = 'SchemaNotReadyError';
  /** `cause`: the database error that showed the schema behind, when one did (the log keeps it). */
  constructor(cause?: unknown) {
    super(
      503,
      'schema_not_ready',
      'The database schema is not ready for this version of the server; retry shortly (an operator runs npm run db:migrate)',
    );
    if (cause !== undefined) this.cause = cause;
  }
}
