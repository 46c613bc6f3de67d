import { OpenApiGeneratorV3, type OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

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

const LiveResponse = z.object({ status: z.literal('ok') }).meta({ id: 'Live' });

/** Adds the routes served outside the ApiRouter: health, /metrics and the document itself. */
export function registerServiceRoutes(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/health/live',
    operationId: 'getLiveness',
    summary: 'The process is up (a failing answer means: restart it)',
    tags: ['Service'],
    responses: {
      200: { description: 'Alive', content: { 'application/json': { schema: LiveResponse } } },
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
      tags: ['Service'],
      responses: {
        200: { description: 'Ready', content: { 'application/json': { schema: HealthResponse } } },
        503: {
          description: 'Not ready; `reason` says why',
          content: { 'application/json': { schema: HealthResponse } },
        },
      },
    });
  }
  registry.registerPath({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics in the text format (each metric is described in the README)',
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
