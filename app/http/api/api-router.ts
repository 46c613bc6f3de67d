import { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import type { Caller } from '../../services/account-service';
import { authenticatedCaller } from '../middleware/authenticate';
import { rawJsonFacts } from '../middleware/json-body';
import { methodNotAllowed } from '../middleware/method-not-allowed';
import type { Precondition } from '../../services/precondition';
import { IfMatchHeaders, IfNoneMatchHeaders } from '../schemas/conditions';
import { ERROR_BODIES, type ErrorStatus } from '../schemas/errors';
import { readConditions, sendTagged } from './conditional-requests';
import { ETAG_HEADER, REQUEST_ID_HEADER, RETRY_AFTER_HEADER } from './openapi-headers';
import { parseRequestPart } from './validation';

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** What one endpoint accepts and answers; the same object drives validation and the OpenAPI document. */
export interface EndpointSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
> {
  method: HttpMethod;
  /** Stable name of the operation in the document (generated clients name their functions by it). */
  operationId: string;
  /** Express syntax, e.g. `/api/campaigns/:id`. */
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  status: 200 | 201 | 204;
  response?: z.ZodType;
  /** Error statuses this endpoint can answer besides 400, 401, 413, 415, 500 and 503 (added as they apply). */
  errors: ErrorStatus[];
  /**
   * The endpoint serves one resource, whose version is its strong ETag: a
   * GET, create or PATCH sends it; a GET answers 304 to a matching
   * If-None-Match; a PATCH or DELETE takes If-Match, and 412 when it fails.
   */
  etag?: true;
  /** The part of the response the ETag is of, when the body adds notes to the resource (default: the body). */
  etagOf?: (body: never) => unknown;
}

type Parsed<T> = T extends z.ZodType ? z.output<T> : undefined;

/** A handler's validated input: no req or res below this point. */
export interface EndpointInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
  /** The caller's address, for rate limits. */
  ip: string;
  /**
   * The If-Match precondition for a service to check under its row lock,
   * against the ETag of the row as `present` shows it; undefined when the
   * write is unconditional.
   */
  ifMatch<T>(present: (row: T) => unknown): Precondition<T> | undefined;
}

const NO_BODY = z.strictObject({});

const ERROR_DESCRIPTIONS: Record<ErrorStatus, string> = {
  400: 'Invalid input: malformed JSON, a wrong type, an unknown or server-set field',
  405: 'The path does not serve this method; Allow lists those it does',
  401: 'Missing, invalid or expired bearer token',
  403: 'The caller may see this campaign but not do this',
  404: 'No such resource, or not visible to the caller',
  409: 'Conflicts with existing data (duplicate name, last owner, ...)',
  412: 'If-Match names no current ETag: the resource changed since it was read; nothing was written',
  413: 'Request body larger than the limit',
  415: 'A request body that is not JSON (Content-Type application/json, UTF-8)',
  429: 'Too many attempts; retry after the time given',
  500: 'Unexpected server error (no internals are returned)',
  503: 'The database schema is behind this version (migrations pending); retry shortly',
};

/**
 * A router whose endpoints validate their input with zod and register
 * themselves in the OpenAPI registry, so the document lists exactly what is served.
 */
export class ApiRouter {
  readonly router = Router();
  readonly registry = new OpenAPIRegistry();
  /** Methods served per path, for 405 and OPTIONS once every endpoint is added. */
  private readonly methods = new Map<string, Set<HttpMethod>>();

  constructor(private readonly requireUser: RequestHandler) {
    this.registry.registerComponent('securitySchemes', 'bearerAuth', {
      type: 'http',
      scheme: 'bearer',
    });
  }

  /** An endpoint open to anyone. */
  public<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends z.ZodType | undefined,
  >(
    spec: EndpointSpec<P, Q, B>,
    handler: (input: EndpointInput<P, Q, B>) => Promise<unknown>,
  ): void {
    this.add(spec, false, handler);
  }

  /** An endpoint that needs a bearer token; the handler gets the authenticated caller. */
  authed<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends z.ZodType | undefined,
  >(
    spec: EndpointSpec<P, Q, B>,
    handler: (input: EndpointInput<P, Q, B>, caller: Caller) => Promise<unknown>,
  ): void {
    // The caller is read from the request context, where the audit stamp reads the actor too.
    this.add(spec, true, (input) => handler(input, authenticatedCaller()));
  }

  private add<
    P extends z.ZodType | undefined,
    Q extends z.ZodType | undefined,
    B extends z.ZodType | undefined,
  >(
    spec: EndpointSpec<P, Q, B>,
    auth: boolean,
    handler: (input: EndpointInput<P, Q, B>) => Promise<unknown>,
  ): void {
    this.document(spec, auth);
    const respond: RequestHandler = async (req: Request, res: Response) => {
      // An endpoint without a body refuses any field in one, like the others do.
      if (!spec.body) parseRequestPart(NO_BODY, 'body', req.body ?? {});
      const conditions = readConditions(req, spec.etag ? spec.method : undefined);
      const input = {
        params: spec.params ? parseRequestPart(spec.params, 'params', req.params) : undefined,
        query: spec.query ? parseRequestPart(spec.query, 'query', req.query) : undefined,
        // No JSON content type leaves req.body undefined: validate it as an empty object.
        body: spec.body
          ? parseRequestPart(spec.body, 'body', req.body ?? {}, rawJsonFacts(req).looseNumbers)
          : undefined,
        ip: req.ip ?? '',
        ifMatch: conditions.ifMatch,
      } as EndpointInput<P, Q, B>;
      const result = await handler(input);
      if (spec.status === 204) res.status(204).end();
      else if (spec.etag) {
        const tagged = spec.etagOf ? spec.etagOf(result as never) : result;
        sendTagged(res, spec.status, result, conditions, tagged);
      } else res.status(spec.status).json(result);
    };
    const handlers = auth ? [this.requireUser, respond] : [respond];
    this.router[spec.method](spec.path, ...handlers);
    const methods = this.methods.get(spec.path) ?? new Set();
    this.methods.set(spec.path, methods.add(spec.method));
  }

  /**
   * Call after the last endpoint: other methods on a known path answer 405
   * with Allow, OPTIONS answers 204 with Allow. (Mounted last, or a GET's
   * catch-all would hide a PATCH added after it on the same path.)
   */
  finish(): void {
    for (const [path, methods] of this.methods) this.router.all(path, methodNotAllowed(methods));
  }

  private document(
    spec: EndpointSpec<z.ZodType | undefined, z.ZodType | undefined, z.ZodType | undefined>,
    auth: boolean,
  ): void {
    // Any request may carry a body, which may exceed the parser's limit or
    // not be JSON; any API route answers 503 while the schema is not ready.
    const { method, etag } = spec;
    const conditional = etag && (method === 'patch' || method === 'delete');
    const statuses: ErrorStatus[] = [
      400,
      ...(auth ? [401 as const] : []),
      ...(conditional ? [412 as const] : []),
      413,
      415,
      ...spec.errors,
      500,
      503,
    ];
    const tagged = etag && spec.response ? { ...REQUEST_ID_HEADER, ...ETAG_HEADER } : undefined;
    const responses: Record<string, object> = {
      [spec.status]: spec.response
        ? {
            description: 'Success',
            headers: tagged ?? REQUEST_ID_HEADER,
            content: { 'application/json': { schema: spec.response } },
          }
        : { description: 'Success, no content', headers: REQUEST_ID_HEADER },
    };
    if (etag && method === 'get') {
      responses[304] = {
        description: 'Not Modified: If-None-Match names the current ETag; no body',
        headers: tagged,
      };
    }
    const conditionHeaders = conditional
      ? IfMatchHeaders
      : etag && method === 'get'
        ? IfNoneMatchHeaders
        : undefined;
    for (const status of [...new Set(statuses)].sort()) {
      responses[status] = {
        description: ERROR_DESCRIPTIONS[status],
        headers:
          status === 429 ? { ...REQUEST_ID_HEADER, ...RETRY_AFTER_HEADER } : REQUEST_ID_HEADER,
        content: { 'application/json': { schema: ERROR_BODIES[status] } },
      };
    }
    this.registry.registerPath({
      method: spec.method,
      path: toOpenApiPath(spec.path),
      operationId: spec.operationId,
      summary: spec.summary,
      tags: [spec.tag],
      security: auth ? [{ bearerAuth: [] }] : [],
      request: {
        ...(spec.params ? { params: spec.params as never } : {}),
        ...(spec.query ? { query: spec.query as never } : {}),
        ...(conditionHeaders ? { headers: conditionHeaders as never } : {}),
        ...(spec.body
          ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } }
          : {}),
      },
      responses,
    });
  }
}

/** `/api/campaigns/:id` -> `/api/campaigns/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
