import express, { type Express } from 'express';
import type { Sequelize } from 'sequelize';
import type { Logger } from './logger';
import { errorHandler, notFoundHandler } from './http/middleware/error-handler';
import { healthRouter } from './http/routes/health';
import { metricsRouter } from './metrics/metrics-router';

export interface AppDependencies {
  sequelize: Sequelize;
  logger: Logger;
}

/** Builds the Express app; it never listens (server.ts does, tests use supertest). */
export function createApp({ sequelize, logger }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRouter(sequelize)); // first, so that it times every request
  app.use(express.json({ limit: '100kb' }));

  app.use(healthRouter(sequelize));

  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
