import { Router, type RequestHandler } from 'express';
import type { Readiness, ReadinessState } from '../../health/readiness';
import { methodNotAllowed } from '../middleware/method-not-allowed';

const MESSAGES: Record<NonNullable<ReadinessState['reason']>, (s: ReadinessState) => string> = {
  database_unreachable: () => 'The database does not answer; check DATABASE_URL and the server',
  migrations_pending: (s) =>
    `${s.pending?.length} migration(s) of this version are not applied (first: ${s.pending?.[0]}); run npm run db:migrate`,
  shutting_down: () => 'The process is shutting down; send new requests to another instance',
};

/** The readiness answer: 200 when ready, otherwise 503 with the reason. */
function readinessAnswer(readiness: Readiness): RequestHandler {
  return async (_req, res) => {
    const state = await readiness.check();
    const body = {
      status: state.ready ? 'ok' : 'error',
      database: state.database,
      pendingMigrations: state.pending === null ? null : state.pending.length,
      ...(state.reason ? { reason: state.reason, message: MESSAGES[state.reason](state) } : {}),
    };
    res.status(state.ready ? 200 : 503).json(body);
  };
}

/**
 * GET /health/live: the process is up (restart it when this fails).
 * GET /health/ready and GET /health: send it traffic (database answers, no
 * migration of this version pending, not shutting down).
 */
export function healthRouter(readiness: Readiness): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', readinessAnswer(readiness));
  router.get('/health', readinessAnswer(readiness));
  for (const path of ['/health', '/health/live', '/health/ready']) {
    router.all(path, methodNotAllowed(['get']));
  }
  return router;
}
