import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import * as contentType from 'content-type';
import express, { type Request, type RequestHandler } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '../../errors';
import { JsonTooDeepError, scanRawJson, type RawJsonFacts } from '../raw-json';

/** The only charset label a JSON body may carry (RFC 8259: JSON text is UTF-8), in any case. */
const UTF8_LABEL = 'utf-8';

const factsOfRequest = new WeakMap<IncomingMessage, RawJsonFacts>();
const NO_FACTS: RawJsonFacts = { looseNumbers: [] };

/** What the raw body showed that its parsed form cannot (how each number was written). */
export function rawJsonFacts(req: Request): RawJsonFacts {
  return factsOfRequest.get(req) ?? NO_FACTS;
}

/** The charset parameter of the request's Content-Type, lower case; undefined when absent or unreadable. */
function charsetOf(req: Request): string | undefined {
  try {
    const header = req.headers['content-type'];
    return header ? contentType.parse(header).parameters.charset?.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a body that is not JSON (415) or is labelled with a charset other
 * than UTF-8 (415), then parses JSON bodies up to `limit` (413). Before the
 * parse, the raw bytes must be valid UTF-8 (Node would otherwise decode an
 * invalid sequence to U+FFFD and the row would silently differ from what the
 * client sent) and nest at most MAX_JSON_DEPTH levels (400); how each number
 * was written is kept for the strict id check.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    // No body at all, or an empty one (Content-Length: 0), whatever its type.
    if (req.headers['content-length'] === '0') return next();
    // false: there is a body and it is not JSON; null: no body at all.
    const isJson = req.is('application/json');
    if (isJson === false) {
      throw new UnsupportedMediaTypeError(
        `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported; send the body as application/json`,
      );
    }
    const charset = isJson ? charsetOf(req) : undefined;
    // The parser would decode UTF-16 and others: refuse by the label, so the
    // UTF-8 check below checks what is really parsed.
    if (charset !== undefined && charset !== UTF8_LABEL) {
      throw new UnsupportedMediaTypeError(
        `charset=${charset} is not supported; send UTF-8 JSON (charset=utf-8, or no charset)`,
      );
    }
    next();
  };
  const parse = express.json({
    limit,
    verify: (req, _res, buffer) => {
      if (!isUtf8(buffer)) {
        throw new ValidationError('Invalid request: body: is not valid UTF-8', [
          { field: 'body', message: 'is not valid UTF-8' },
        ]);
      }
      try {
        factsOfRequest.set(req, scanRawJson(buffer));
      } catch (error) {
        if (!(error instanceof JsonTooDeepError)) throw error;
        throw new ValidationError(`Invalid request: body: ${error.message}`, [
          { field: 'body', message: error.message },
        ]);
      }
    },
  });
  return [requireJson, parse];
}
