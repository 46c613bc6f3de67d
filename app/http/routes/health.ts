import { Router } from 'express';
import type { Sequelize } from 'sequelize';
import { migrationStatus } from '../../db/migration-runner';
import { methodNotAllowed } from '../middleware/method-not-allowed';

/** GET /health: is the database reachable, and how many migrations are pending. */
export function healthRouter(sequelize: Sequelize): Router {
  const router = Router();
  router.get('/health', async (_req, res) => {
    try {
      await sequelize.query('SELECT 1');
      const { pending } = await migrationStatus(sequelize);
      res.json({ status: 'ok', database: 'ok', pendingMigrations: pending.length });
    } catch {
      res.status(503).json({ status: 'error', database: 'unreachable', pendingMigrations: null });
    }
  });
  router.all('/health', methodNotAllowed(['get']));
  return router;
}
