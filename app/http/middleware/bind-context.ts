import { AsyncResource } from 'node:async_hooks';
import type { RequestHandler } from 'express';

/**
 * Wraps a middleware whose `next` is called from a stream event (the body
 * parser): such callbacks run in the socket's async context, not the
 * request's, and would lose the request context opened before them.
 */
export function keepContext(middleware: RequestHandler): RequestHandler {
  return (req, res, next) => middleware(req, res, AsyncResource.bind(next));
}
