import { isSpanContextValid, trace } from '@opentelemetry/api';
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
          'secret',
          'accessToken',
          'refreshToken',
          'clientSecret',
          'credentials',
          '*.password',
          '*.apiKey',
          '*.authorization',
          '*.secret',
          // Mailbox credentials (@foreman/imap): OAuth tokens and the client secret.
          '*.accessToken',
          '*.refreshToken',
          '*.clientSecret',
          '*.credentials',
        ],
        censor: '[redacted]',
      },
      mixin: (context, level, logger) => ({ ...traceFields(), ...options.mixin?.(context, level, logger) }),
    },
    options.destination ?? pino.destination(1),
  );
}

/** trace_id and span_id of the active span, so a log line leads to its trace; none when not tracing. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}
