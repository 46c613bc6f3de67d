import type { Request, RequestHandler } from 'express';
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
      req: (req: { id: unknown; method: string; url: string; raw?: Request }) => ({
        id: req.id,
        method: req.method,
        url: redactQuery(req.url),
        // The client as the trusted hops tell it (TRUST_PROXY_HOPS), the
        // address the login limit counts; not the proxy's socket address.
        remoteAddress: req.raw?.ip,
      }),
      err: serializeError,
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
  });
}
