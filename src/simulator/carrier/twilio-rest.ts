import type { Response } from 'express';

/** Twilio's REST error body: `{code, message, more_info, status}`. */
export function twilioError(res: Response, status: number, code: number, message: string): void {
  res.status(status).json({ code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** A form-encoded body as express reads it. */
export type Form = Record<string, string | string[] | undefined>;
/** A form field's (first) value. */
export const first = (b: Form, k: string): string | undefined => (Array.isArray(b[k]) ? b[k][0] : b[k]);
