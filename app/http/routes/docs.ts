import { Router } from 'express';
import swaggerUi from 'swagger-ui-express';
import { methodNotAllowed } from '../middleware/method-not-allowed';

/** GET /api/openapi.json and the interactive page at /docs (assets from the npm package). */
export function docsRouter(document: object): Router {
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.use('/docs', swaggerUi.serve, swaggerUi.setup(document));
  router.all('/api/openapi.json', methodNotAllowed(['get']));
  return router;
}
