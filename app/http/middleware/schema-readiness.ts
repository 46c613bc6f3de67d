import type { ErrorRequestHandler, RequestHandler } from 'express';
import { SchemaNotReadyError } from '../../errors';
import { isSchemaMissingError, type Readiness } from '../../health/readiness';

/** Before the API: 503 schema_not_ready while the readiness gate is closed, without touching the database. */
export function schemaGate(readiness: Readiness): RequestHandler {
  return async (_req, _res, next) => {
    if (await readiness.apiMayServe()) next();
    else next(new SchemaNotReadyError());
  };
}

/**
 * After the API: a query that met a missing table or column (the schema is
 * behind this version) becomes 503 schema_not_ready instead of 500, and
 * closes the gate until a readiness check passes. The database error rides
 * along as the cause, so the log names what was missing.
 */
export function schemaErrors(readiness: Readiness): ErrorRequestHandler {
  return (error, _req, _res, next) => {
    if (!isSchemaMissingError(error)) return next(error);
    readiness.reportSchemaMissing();
    next(new SchemaNotReadyError(error));
  };
}
