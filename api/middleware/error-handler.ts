import type { NextFunction, Request, Response } from 'express';
import { ApiError, errorBody } from '../errors';

interface BodyParserError {
  type?: string;
  status?: number;
}

/** Maps body-parser's own failures to Bland's error shape. */
function fromBodyParser(err: BodyParserError): ApiError | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'Malformed JSON in request body.');
    case 'entity.too.large':
      return new ApiError(413, 'Request body is too large.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'Unsupported request body encoding.');
    case 'request.aborted':
      return new ApiError(400, 'Request was aborted.');
    default:
      return null;
  }
}

/** The one error middleware: Bland's shape, the right status, and never a stack trace. */
export function errorHandler() {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known =
      err instanceof ApiError ? err : typeof err === 'object' && err !== null ? fromBodyParser(err as BodyParserError) : null;
    if (known) {
      res.status(known.httpStatus).json(errorBody(known));
      return;
    }
    req.log?.error({ err }, 'unhandled error');
    res.status(500).json(errorBody(new ApiError(500, 'Internal server error.', [`Request ID: ${req.id}`])));
  };
}

export function notFoundHandler() {
  return (req: Request, res: Response) => {
    res.status(404).json(errorBody(new ApiError(404, `No route for ${req.method} ${req.baseUrl}${req.path}.`)));
  };
}
