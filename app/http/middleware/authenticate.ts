import type { RequestHandler } from 'express';
import { setActor } from '../../context';
import { UnauthorizedError } from '../../errors';
import type { AccountService } from '../../services/account-service';

// The scheme name is case-insensitive (RFC 7235); the token is base64url.
const BEARER = /^bearer +([A-Za-z0-9_-]{20,200}) *$/i;

/**
 * Requires `Authorization: Bearer <token>`: verifies the token, keeps the
 * caller in `res.locals.caller` and makes the user the actor of the request
 * context, which is what the audit fields record.
 */
export function requireUser(accounts: AccountService): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    if (!header) throw new UnauthorizedError();
    const token = BEARER.exec(header)?.[1];
    if (!token) throw new UnauthorizedError('Malformed Authorization header: use Bearer <token>');
    const caller = await accounts.authenticate(token);
    res.locals.caller = caller;
    setActor({ userId: caller.userId });
    next();
  };
}
