import { Router, type RequestHandler } from 'express';
import { Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import { auditNullMetrics } from './audit-null-metrics';
import { auditedWriteMetrics } from './audited-write-metrics';
import { httpMetrics } from './http-metrics';
import { methodNotAllowed } from '../http/middleware/method-not-allowed';

/**
 * Mount first: times every request that follows it, and serves
 * `GET /metrics` in the Prometheus text format from this app's own registry.
 * A body sent with the scrape goes through `readBody` (the app's body
 * parser) like any other: answering before the body is read would let a
 * client still sending it meet a closed connection instead of an answer.
 */
export function metricsRouter(sequelize: Sequelize, readBody: RequestHandler[]): Router {
  const registry = new Registry();
  auditedWriteMetrics(registry, sequelize);
  auditNullMetrics(registry, sequelize);
  const router = Router();
  router.use(httpMetrics(registry));
  router.get('/metrics', ...readBody, async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  router.all('/metrics', methodNotAllowed(['get']));
  return router;
}
