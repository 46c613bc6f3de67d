import { OpenApiGeneratorV3, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

const HealthResponse = z
  .object({
    status: z.enum(['ok', 'error']),
    database: z.enum(['ok', 'unreachable']),
    pendingMigrations: z.number().int().nullable(),
  })
  .meta({ id: 'Health' });

/** Adds the routes served outside the ApiRouter: /health, /metrics and the document itself. */
export function registerServiceRoutes(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/health',
    summary: 'Is the database reachable, and how many migrations are pending',
    tags: ['Service'],
    responses: {
      200: { description: 'Healthy', content: { 'application/json': { schema: HealthResponse } } },
      503: {
        description: 'Database unreachable',
        content: { 'application/json': { schema: HealthResponse } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary:
      'Prometheus metrics in the text format (each metric is described in docs/operations.md)',
    tags: ['Service'],
    responses: {
      200: {
        description: 'Prometheus text exposition',
        content: { 'text/plain': { schema: z.string() } },
      },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This OpenAPI 3 document',
    tags: ['Service'],
    responses: {
      200: {
        description: 'The document',
        content: { 'application/json': { schema: z.looseObject({}) } },
      },
    },
  });
}

/** The OpenAPI 3.0 document of every registered route. */
export function buildOpenApiDocument(registry: OpenAPIRegistry) {
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'GMA API',
      version: '1.0.0',
      description:
        'Campaigns, members, characters, items and locations, and the history of their changes. ' +
        'Authenticate with `Authorization: Bearer <token>` from POST /api/auth/login. Every error is ' +
        '`{ "error": { "code", "message", "details" } }`.',
    },
  });
}
