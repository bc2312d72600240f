import type { NextFunction, Request, Response } from 'express';
import { newRequestId } from '../../src/ids';
import type { Logger } from '../../src/logger';

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    orgId: string;
    log: Logger;
  }
}

const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A request ID (the caller's, when it is safe to echo) on every request, log line and response. */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : newRequestId();
    req.log = logger.child({ reqId: req.id });
    res.setHeader('x-request-id', req.id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.debug({ method: req.method, path: req.path, status: res.statusCode, ms }, 'request');
    });
    next();
  };
}
