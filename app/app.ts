import express, { type Express } from 'express';
import { jsonBody } from './http/middleware/json-body';
import helmet from 'helmet';
import type { Sequelize } from 'sequelize';
import { loadConfig, type AppConfig } from './config';
import type { Logger } from './logger';
import { errorHandler, notFoundHandler } from './http/middleware/error-handler';
import { healthRouter } from './http/routes/health';
import { buildApi } from './http/api/build-api';
import { requestContext } from './http/middleware/request-context';
import { requestLogger } from './http/middleware/request-logger';
import { docsRouter } from './http/routes/docs';
import type { AuthLimiter, AuthRateLimits } from './services/auth-rate-limiter';
import { metricsRouter } from './metrics/metrics-router';
import { Readiness } from './health/readiness';
import { schemaErrors, schemaGate } from './http/middleware/schema-readiness';

export interface AppDependencies {
  sequelize: Sequelize;
  logger: Logger;
  /** Defaults to the environment's config. */
  config?: AppConfig;
  /** Overrides of the configured login and registration limits. */
  loginLimits?: Partial<AuthRateLimits>;
  /** Replaces the PostgreSQL limiter (benchmarks only). */
  authLimiter?: AuthLimiter;
  /** What /health/ready answers; server.ts keeps it to fail readiness on shutdown. */
  readiness?: Readiness;
}

/** Largest JSON body accepted; larger ones get 413. */
export const JSON_BODY_LIMIT = '100kb';

/** Builds the Express app; it never listens (server.ts does, tests use supertest). */
export function createApp({
  sequelize,
  logger,
  config,
  loginLimits,
  authLimiter,
  readiness = new Readiness(sequelize),
}: AppDependencies): Express {
  const settings = config ?? loadConfig();
  const app = express();
  app.disable('x-powered-by');
  // The client address (login rate limit, logs) comes from X-Forwarded-For
  // only through as many proxies as configured; otherwise clients could forge it.
  app.set('trust proxy', settings.trustProxyHops);
  // The request context opens first; everything after runs inside it.
  app.use(requestContext);
  // Security headers on every response, /metrics included. No
  // upgrade-insecure-requests: behind plain HTTP (local runs) it would make
  // browsers fetch the /docs assets over HTTPS and fail.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  const readBody = jsonBody(JSON_BODY_LIMIT);
  app.use(metricsRouter(sequelize, readBody)); // next, so that it times every request
  app.use(requestLogger(logger));
  app.use(readBody);

  app.use(healthRouter(readiness));

  // HTTP API: accounts, campaigns, members, characters, items, locations.
  const api = buildApi({ sequelize, config: settings, loginLimits, authLimiter });
  app.use(docsRouter(api.document));
  app.use('/api', schemaGate(readiness));
  app.use(api.router);

  app.use(notFoundHandler);
  app.use(schemaErrors(readiness));
  app.use(errorHandler(logger));
  return app;
}
