import { OpenApiGeneratorV31, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { ERROR_BODIES } from '../schemas/errors';
import { ALLOW_HEADER, REQUEST_ID_HEADER, registerHeaders } from './openapi-headers';

const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error']),
    database: z.enum(['ok', 'unreachable']),
    pendingMigrations: z
      .number()
      .int()
      .nullable()
      .meta({ description: 'Migrations of this version not applied; null when unreadable' }),
    reason: z
      .enum(['database_unreachable', 'migrations_pending', 'shutting_down'])
      .optional()
      .meta({ description: 'Why the instance is not ready (503 only)' }),
    message: z.string().optional().meta({ description: 'What to do about it (503 only)' }),
  })
  .meta({ id: 'Health' });

const LiveResponse = z.object({ status: z.enum(['ok']) }).meta({ id: 'Live' });

/** The fields of this document a client reads; the rest follow OpenAPI 3.1. */
const OpenApiDocument = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string(), description: z.string() }),
    paths: z.record(
      z.string(),
      z.record(
        z.string(),
        z.object({ operationId: z.string(), summary: z.string(), tags: z.array(z.string()) }),
      ),
    ),
  })
  .meta({
    id: 'OpenApiDocument',
    description: 'An OpenAPI 3.1 document (https://spec.openapis.org/oas/v3.1.0)',
  });

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

/** Any request may carry a body, which is parsed before any route runs. */
const BODY_ERRORS = Object.fromEntries(
  ([400, 413, 415] as const).map((status) => [
    status,
    {
      description: 'A request body that is not valid JSON, too large, or not JSON',
      headers: REQUEST_ID_HEADER,
      content: json(ERROR_BODIES[status]),
    },
  ]),
);

/** Open to anyone (stated, not left out: a missing security list would mean "unspecified"). */
const PUBLIC = { security: [], tags: ['Service'] };

/** Adds the routes served outside the ApiRouter: health, /metrics and the document itself. */
export function registerServiceRoutes(registry: OpenAPIRegistry): void {
  registerHeaders(registry);
  const headers = REQUEST_ID_HEADER;
  registry.registerPath({
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    summary: 'The process is up (a failing answer means: restart it)',
    ...PUBLIC,
    responses: {
      200: { description: 'Alive', headers, content: json(LiveResponse) },
      ...BODY_ERRORS,
    },
  });
  for (const [path, operationId] of [
    ['/health/ready', 'getReadiness'],
    ['/health', 'getHealth'],
  ] as const) {
    registry.registerPath({
      method: 'get',
      path,
      operationId,
      summary:
        'Ready for traffic: the database answers, no migration of this version is pending, not shutting down',
      ...PUBLIC,
      responses: {
        ...BODY_ERRORS,
        200: { description: 'Ready', headers, content: json(HealthResponse) },
        503: {
          description: 'Not ready; `reason` says why',
          headers,
          content: json(HealthResponse),
        },
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary:
      'Prometheus metrics in the text format (each metric is described in docs/operations.md)',
    ...PUBLIC,
    responses: {
      ...BODY_ERRORS,
      200: {
        description: 'Prometheus text exposition',
        headers,
        content: { 'text/plain': { schema: z.string() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This OpenAPI 3.1 document',
    ...PUBLIC,
    responses: {
      200: { description: 'The document', headers, content: json(OpenApiDocument) },
      ...BODY_ERRORS,
    },
  });
}

/** A zod schema as a standalone JSON Schema (for components no operation refers to). */
function jsonSchema(schema: z.ZodType, id: string): Record<string, unknown> {
  const generated = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as {
    $defs?: Record<string, Record<string, unknown>>;
  };
  const found = generated.$defs?.[id];
  if (!found) throw new Error(`${id} is not a named schema`);
  return found;
}

/**
 * The answers of every path to methods it does not serve: they are no
 * operation, so they are documented as shared responses.
 */
const SHARED_RESPONSES = {
  NotFound: {
    description: 'No route for this method and path (unknown paths, including OPTIONS on them)',
    headers: REQUEST_ID_HEADER,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/NotFoundError' } } },
  },
  MethodNotAllowed: {
    description: 'A method the path does not serve; Allow lists those it does',
    headers: { ...REQUEST_ID_HEADER, ...ALLOW_HEADER },
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/MethodNotAllowedError' } },
    },
  },
  Options: {
    description: 'OPTIONS on any served path: no body, Allow lists the methods',
    headers: { ...REQUEST_ID_HEADER, ...ALLOW_HEADER },
  },
  // A body is read before the route is matched, so these can come from any path.
  InvalidBody: {
    description:
      'A body that is not valid JSON, not UTF-8, or nests deeper than 32 levels, on any path',
    headers: REQUEST_ID_HEADER,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/BadRequestError' } } },
  },
  BodyTooLarge: {
    description: 'A body larger than the limit, on any path',
    headers: REQUEST_ID_HEADER,
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/PayloadTooLargeError' } },
    },
  },
  BodyNotJson: {
    description:
      'A body that is not JSON, or labelled with a charset other than UTF-8, on any path',
    headers: REQUEST_ID_HEADER,
    content: {
      'application/json': { schema: { $ref: '#/components/schemas/UnsupportedMediaTypeError' } },
    },
  },
};

const DESCRIPTION = `Campaigns, members, characters, items and locations, and the history of their changes.

Authenticate with \`Authorization: Bearer <token>\` from \`POST /api/auth/login\`.

Every error is \`{ "error": { "code", "message", "details"? } }\`; each status has its own codes and
one shape of \`details\` (see the *Error schemas). Every response carries \`X-Request-Id\`. Any
method a path does not serve answers 405 with \`Allow\` (components.responses.MethodNotAllowed),
OPTIONS answers 204 with \`Allow\` (components.responses.Options), and unknown paths answer 404
(components.responses.NotFound). A request body is read before the route is matched: on any path,
known or not, a body that is not valid JSON or nests too deep answers 400, one over the size limit
413, and one that is not JSON 415 (components.responses.InvalidBody, BodyTooLarge, BodyNotJson).`;

/** The OpenAPI 3.1 document of every registered route. */
export function buildOpenApiDocument(registry: OpenAPIRegistry) {
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'GMA API',
      version: '1.0.0',
      description: DESCRIPTION,
      license: { name: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'This server' }],
  });
  const components = document.components ?? {};
  components.schemas = {
    ...components.schemas,
    MethodNotAllowedError: jsonSchema(ERROR_BODIES[405], 'MethodNotAllowedError'),
  };
  components.responses = { ...components.responses, ...SHARED_RESPONSES };
  document.components = components;
  return document;
}
