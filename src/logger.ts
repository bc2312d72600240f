import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Message text never carries secrets, phone numbers or transcripts:
 * those go in marked fields, which the redaction list below masks.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'switchboard', ...bindings },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        '*.authToken',
        '*.apiKey',
        '*.api_key',
        'pii.*',
      ],
      censor: '[redacted]',
    },
  });
}
