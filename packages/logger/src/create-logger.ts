import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs. Secrets are redacted by key wherever they appear, so a payload or a
 * config object can be logged without leaking credentials.
 */
export function createLogger(
  name: string,
  options: { level?: string; mixin?: LoggerOptions['mixin']; destination?: DestinationStream } = {},
): Logger {
  return pino(
    {
      name,
      level: options.level ?? 'info',
      base: { service: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'password',
          'apiKey',
          'authorization',
          '*.password',
          '*.apiKey',
          '*.authorization',
          '*.secret',
        ],
        censor: '[redacted]',
      },
      ...(options.mixin ? { mixin: options.mixin } : {}),
    },
    options.destination ?? pino.destination(1),
  );
}
