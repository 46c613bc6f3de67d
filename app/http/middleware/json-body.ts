import { isUtf8 } from 'node:buffer';
import express, { type RequestHandler } from 'express';
import { UnsupportedMediaTypeError, ValidationError } from '../../errors';

/**
 * Refuses a body that is not JSON (415), then parses JSON bodies up to
 * `limit`. The raw bytes must be valid UTF-8: Node would otherwise decode an
 * invalid sequence to U+FFFD and the row would silently differ from what the
 * client sent.
 */
export function jsonBody(limit: string): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    // false: there is a body and it is not JSON; null: no body at all. An
    // empty body (Content-Length: 0) is no body, whatever its type.
    if (req.is('application/json') === false && req.headers['content-length'] !== '0') {
      throw new UnsupportedMediaTypeError(
        `Content-Type ${req.headers['content-type'] ?? '(none)'} is not supported; send the body as application/json`,
      );
    }
    next();
  };
  const parse = express.json({
    limit,
    verify: (_req, _res, buffer) => {
      if (!isUtf8(buffer)) {
        throw new ValidationError('Invalid request: body: is not valid UTF-8', [
          { field: 'body', message: 'is not valid UTF-8' },
        ]);
      }
    },
  });
  return [requireJson, parse];
}
