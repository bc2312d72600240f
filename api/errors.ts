/** Errors in Bland's shape: `{status:"error", message, errors:[…]}`. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    message: string,
    readonly errors: string[] = [message],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (errors: string[], message = 'Invalid parameters') => new ApiError(400, message, errors);
export const unauthorized = (message = 'Invalid or missing API key.') => new ApiError(401, message);
export const forbidden = (message: string) => new ApiError(403, message);
export const notFound = (message = 'Not found.') => new ApiError(404, message);
export const conflict = (message: string) => new ApiError(409, message);
export const unavailable = (message: string) => new ApiError(503, message);

export function errorBody(err: ApiError) {
  return { status: 'error', message: err.message, errors: err.errors };
}
