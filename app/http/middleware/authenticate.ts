import type { RequestHandler } from 'express';
import { getActor, setActor } from '../../context';
import { UnauthorizedError } from '../../errors';
import type { AccountService, Caller } from '../../services/account-service';

// The scheme name is case-insensitive (RFC 7235); the token is base64url.
const BEARER = /^bearer +([A-Za-z0-9_-]{20,200}) *$/i;

/**
 * Requires `Authorization: Bearer <token>`: verifies the token and makes the
 * caller the actor of the request context, the one place both the route
 * (`authenticatedCaller`) and the audit fields read it from.
 */
export function requireUser(accounts: AccountService): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError();
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new UnauthorizedError('Malformed Authorization header: use Bearer <token>');
    setActor(await accounts.authenticate(token));
    next();
  };
}

/**
 * The caller that `requireUser` authenticated, read from the request
 * context: the same actor the audit fields are stamped with. A 401 when
 * the context holds none (a route wired without `requireUser`).
 */
export function authenticatedCaller(): Caller {
  const actor = getActor();
  if (actor?.tokenId === undefined) throw new UnauthorizedError();
  return { userId: actor.userId, tokenId: actor.tokenId };
}
