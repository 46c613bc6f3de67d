import type { RequestHandler } from 'express';
import { MethodNotAllowedError } from '../../errors';

/** The Allow list of a route serving `methods` (GET implies HEAD, as Express serves it). */
export function allowList(methods: Iterable<string>): string[] {
  const upper = [...new Set([...methods].map((m) => m.toUpperCase()))];
  if (upper.includes('GET') && !upper.includes('HEAD'))
    upper.splice(upper.indexOf('GET') + 1, 0, 'HEAD');
  return upper;
}

/**
 * Mounted with `router.all(path)` after a path's real handlers: any other
 * method gets 405 with `Allow` in the JSON error shape, and OPTIONS gets 204
 * with `Allow` (instead of Express's plain-text default).
 */
export function methodNotAllowed(methods: Iterable<string>): RequestHandler {
  const allow = allowList(methods);
  return (req, res) => {
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', [...allow, 'OPTIONS'].join(', '));
      res.status(204).end();
      return;
    }
    throw new MethodNotAllowedError(req.method, req.path, allow);
  };
}
