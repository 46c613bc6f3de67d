import type { ErrorRequestHandler, RequestHandler } from 'express';
import { BaseError, ForeignKeyConstraintError, UniqueConstraintError } from 'sequelize';
import type { Logger } from '../../logger';
import {
  AppError,
  MethodNotAllowedError,
  NotFoundError,
  RevertConflictError,
  TooManyRequestsError,
  type ErrorDetails,
} from '../../errors';

interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetails; fields?: string[] };
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  message?: string;
  /** The size limit in bytes, on an entity.too.large error. */
  limit?: number;
}

/** Turns any thrown value into a status and a JSON body that leaks no internals. */
export function toHttpError(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    // A revert's conflict names the fields at the top, as the API promises.
    if (error instanceof RevertConflictError) body.error.fields = error.fields;
    return { status: error.status, body };
  }
  if (error instanceof UniqueConstraintError) {
    const fields = Object.keys(error.fields ?? {});
    return {
      status: 409,
      body: {
        error: {
          code: 'conflict',
          message: `A record with the same ${fields.join(', ') || 'values'} already exists`,
          details: { fields },
        },
      },
    };
  }
  if (error instanceof ForeignKeyConstraintError) {
    return {
      status: 409,
      body: {
        error: {
          code: 'conflict',
          message:
            'The change refers to a record that does not exist, or one that others still use',
        },
      },
    };
  }
  if (error instanceof URIError) {
    // A path segment that is not percent-encoded UTF-8 (the router cannot decode it).
    return {
      status: 400,
      body: {
        error: {
          code: 'validation_failed',
          message: 'Invalid request: params: a path segment is not valid percent-encoded UTF-8',
          details: [{ field: 'params', message: 'is not valid percent-encoded UTF-8' }],
        },
      },
    };
  }
  const parserError = error as BodyParserError;
  if (parserError?.type === 'entity.parse.failed') {
    return {
      status: 400,
      body: { error: { code: 'invalid_json', message: 'The request body is not valid JSON' } },
    };
  }
  if (parserError?.status === 415) {
    // An unsupported charset or Content-Encoding of the body.
    return {
      status: 415,
      body: {
        error: {
          code: 'unsupported_media_type',
          message: `${parserError.message ?? 'Unsupported body encoding'}; send UTF-8 JSON`,
        },
      },
    };
  }
  if (parserError?.type === 'entity.too.large') {
    const limitBytes = parserError.limit;
    return {
      status: 413,
      body: {
        error: {
          code: 'payload_too_large',
          message: `The request body is larger than the limit${limitBytes ? ` of ${limitBytes} bytes` : ''}`,
          ...(limitBytes ? { details: { limitBytes } } : {}),
        },
      },
    };
  }
  if (parserError?.expose && parserError.status && parserError.status < 500) {
    return {
      status: parserError.status,
      body: { error: { code: 'bad_request', message: parserError.message ?? 'Bad request' } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'internal_error', message: 'Something went wrong on our side' } },
  };
}

/** The one place where errors become HTTP responses. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const { status, body } = toHttpError(error);
    const log = (req as { log?: Logger }).log ?? logger;
    if (status >= 500) {
      // The err serializer keeps SQLSTATE, constraint, table and column of a
      // database error, never its SQL, parameters or message.
      // A mapped error that wraps another (503 schema_not_ready wraps the
      // database error that showed it) is logged as what it wraps: the
      // response already says the rest.
      const failure = error instanceof AppError && error.cause !== undefined ? error.cause : error;
      log.error({ err: failure, dbError: failure instanceof BaseError }, 'request failed');
      // The request's own log line then carries this error (through the same
      // serializer) instead of one pino-http makes up, with its own stack.
      (res as { err?: unknown }).err = failure;
    }
    if (error instanceof TooManyRequestsError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    if (error instanceof MethodNotAllowedError) res.setHeader('Allow', error.allow.join(', '));
    res.status(status).json(body);
  };
}

/** Unknown routes get the same JSON error shape as everything else. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};
