import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import { redactQuery, serializeError } from '../../log-safe';
import type { Logger } from '../../logger';

/** One JSON log line per request, and `req.log` carrying the request id for every other line. */
export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req) => req.id,
    // Every line logged through req.log carries `reqId`, not the whole request.
    quietReqLogger: true,
    // No headers (the bearer token) and no query values: nothing secret in the logs.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: redactQuery(req.url),
        remoteAddress: req.remoteAddress,
      }),
      err: serializeError,
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}
