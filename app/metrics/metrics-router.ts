import cluster from 'node:cluster';
import { Router, type RequestHandler } from 'express';
import { Registry } from 'prom-client';
import type { Sequelize } from 'sequelize';
import { auditNullMetrics } from './audit-null-metrics';
import { auditedWriteMetrics } from './audited-write-metrics';
import { httpMetrics } from './http-metrics';
import { offerToPrimary, scrapeCluster } from './cluster-metrics';
import { processMetrics } from './process-metrics';
import { methodNotAllowed } from '../http/middleware/method-not-allowed';

/**
 * Mount first: times every request that follows it, and serves
 * `GET /metrics` in the Prometheus text format: this app's own registry and
 * the process metrics, or in a cluster worker those of every worker, summed
 * by the primary (app/metrics/cluster-metrics.ts).
 * A body sent with the scrape goes through `readBody` (the app's body
 * parser) like any other: answering before the body is read would let a
 * client still sending it meet a closed connection instead of an answer.
 */
export function metricsRouter(sequelize: Sequelize, readBody: RequestHandler[]): Router {
  const registry = new Registry();
  auditedWriteMetrics(registry, sequelize);
  auditNullMetrics(registry, sequelize);
  const registries = [registry, processMetrics()];
  if (cluster.isWorker) offerToPrimary(registries);
  const router = Router();
  router.use(httpMetrics(registry));
  router.get('/metrics', ...readBody, async (_req, res) => {
    const text = cluster.isWorker
      ? await scrapeCluster()
      : await Registry.merge(registries).metrics();
    res.type(registry.contentType).send(text);
  });
  router.all('/metrics', methodNotAllowed(['get']));
  return router;
}
