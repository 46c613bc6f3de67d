import type { Request, Response } from 'express';
import type { Precondition } from '../../services/precondition';
import {
  entityTagOf,
  matchesStrongly,
  matchesWeakly,
  parseTagCondition,
  type TagCondition,
} from '../entity-tags';
import type { HttpMethod } from './api-router';

/** The conditions a request puts on its one resource, read before its handler runs. */
export interface RequestConditions {
  /**
   * The If-Match precondition on the row a PATCH or DELETE changes, compared
   * with the ETag of the row as `present` shows it (the response's body);
   * undefined without If-Match, or with `*` (the row lock finding the row
   * is then the whole condition).
   */
  ifMatch<T>(present: (row: T) => unknown): Precondition<T> | undefined;
  /** A GET's If-None-Match. */
  ifNoneMatch: TagCondition | undefined;
}

const NONE: RequestConditions = { ifMatch: () => undefined, ifNoneMatch: undefined };

/**
 * Reads If-Match (PATCH, DELETE) or If-None-Match (GET) of an endpoint that
 * serves one resource (`method` undefined for any other endpoint: nothing is
 * read); a malformed value is a 400. Other conditional headers, and these on
 * other methods, are not read.
 */
export function readConditions(req: Request, method: HttpMethod | undefined): RequestConditions {
  const ifMatch = method === 'patch' || method === 'delete' ? req.headers['if-match'] : undefined;
  const ifNoneMatch = method === 'get' ? req.headers['if-none-match'] : undefined;
  if (ifNoneMatch !== undefined) {
    return { ...NONE, ifNoneMatch: parseTagCondition('If-None-Match', ifNoneMatch) };
  }
  if (ifMatch === undefined) return NONE;
  const tags = parseTagCondition('If-Match', ifMatch);
  if (tags === '*') return NONE;
  return {
    ...NONE,
    ifMatch: <T>(present: (row: T) => unknown) => ({
      holds: (current: T) => matchesStrongly(tags, entityTagOf(present(current))),
    }),
  };
}

/**
 * Sends one resource with its strong ETag; a GET whose If-None-Match names
 * that ETag gets 304 and no body instead.
 */
export function sendTagged(
  res: Response,
  status: number,
  body: unknown,
  conditions: RequestConditions,
  /** What the ETag is of: the body, unless it adds notes to the resource. */
  resource: unknown = body,
): void {
  const etag = entityTagOf(resource);
  res.setHeader('ETag', etag);
  if (conditions.ifNoneMatch && matchesWeakly(conditions.ifNoneMatch, etag)) {
    res.status(304).end();
  } else {
    res.status(status).json(body);
  }
}
