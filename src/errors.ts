import { ApplicationFailure } from '@temporalio/common';

/**
 * Activity error classification (DESIGN §14): a vendor's 4xx other than 408 and 429 will not get
 * better by retrying, so it fails for good; anything else is re-thrown for Temporal to retry.
 */
export function statusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function isPermanentHttpStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
}

export function classifyVendorError(err: unknown, type: string): never {
  if (err instanceof ApplicationFailure) throw err;
  const status = statusOf(err);
  if (isPermanentHttpStatus(status)) {
    const message = err instanceof Error ? err.message : String(err);
    throw ApplicationFailure.nonRetryable(`${type}: ${message}`, type, { status });
  }
  throw err;
}

/** Wraps a vendor call so that every error leaving it is classified. */
export async function withVendorErrors<T>(type: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    return classifyVendorError(err, type);
  }
}
