import { Router, type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { methodNotAllowed } from '../middleware/method-not-allowed';

/**
 * GET /api/openapi.json and the interactive page at /docs (assets from the
 * npm package). `document` is called on the first request that needs it.
 */
export function docsRouter(document: () => object): Router {
  const router = Router();
  router.get('/api/openapi.json', (_req, res) => {
    res.json(document());
  });
  // The page and its assets are read-only: GET and HEAD, like every other
  // route (swagger-ui-express would serve the page to any method).
  const readOnly = methodNotAllowed(['get']);
  const onlyRead: RequestHandler = (req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' ? next() : readOnly(req, res, next);
  router.all(['/docs', '/docs/{*asset}'], onlyRead);
  let page: RequestHandler | undefined;
  const lazyPage: RequestHandler = (req, res, next) =>
    (page ??= swaggerUi.setup(document()))(req, res, next);
  router.use('/docs', swaggerUi.serve, lazyPage);
  router.all('/api/openapi.json', methodNotAllowed(['get']));
  return router;
}
