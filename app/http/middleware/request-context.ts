import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { runInContext } from '../../context';

// A client-supplied id is kept only if it is short and plain, so it cannot
// forge log lines or bloat them.
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id to use: the client's X-Request-Id if sane, otherwise a new UUID. */
export function chooseRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * The first middleware: picks the request id, echoes it in X-Request-Id and
 * opens the request context (actor unknown until authentication).
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const requestId = chooseRequestId(req.headers['x-request-id']);
  req.id = requestId;
  res.setHeader('X-Request-Id', requestId);
  runInContext({ actor: null, requestId, source: 'http' }, next);
};
