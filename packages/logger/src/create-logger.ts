import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs, to stdout by default. Secrets are redacted by key wherever they appear, so
 * a payload or a config object can be logged without leaking credentials.
 *
 * Stdout is written asynchronously, 4 KB at a time or every 100 ms, whichever comes first, so a
 * busy worker does not pay a system call per task; pino flushes what is left when the process
 * exits. A SIGKILL loses at most the last 100 ms of lines.
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
      formatters: { log: redactSecrets },
      mixin: (context, level, logger) => ({ ...traceFields(), ...options.mixin?.(context, level, logger) }),
    },
    options.destination ?? bufferedStdout(),
  );
}

/**
 * Keys whose values are never logged, at the top of a line or one level down (`{ smtp: { password } }`).
 * Mailbox credentials (@foreman/imap) are the OAuth tokens and the client secret.
 */
const SECRET_KEYS = new Set([
  'password',
  'apiKey',
  'authorization',
  'secret',
  'accessToken',
  'refreshToken',
  'clientSecret',
  'credentials',
]);
const CENSOR = '[redacted]';

/**
 * The line's object with secrets censored, in a copy made only when there is one (the caller's
 * object is never changed). Child bindings are not passed through it: they are identifiers
 * (queue, component, task id), never configuration. pino's own `redact` with `*.key` paths cost about 15 µs a line here,
 * more than a whole no-op task; this walk of two levels costs well under one.
 */
function redactSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    const value = object[key];
    const safe = SECRET_KEYS.has(key) ? CENSOR : isPlainObject(value) ? censorSecrets(value) : value;
    if (safe === value) continue;
    copy ??= { ...object };
    copy[key] = safe;
  }
  return copy ?? object;
}

/** One level down: the object, or a copy with its secret keys censored. */
function censorSecrets(object: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key in object) {
    if (!SECRET_KEYS.has(key)) continue;
    copy ??= { ...object };
    copy[key] = CENSOR;
  }
  return copy ?? object;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Bytes of lines held before a write; a quiet process's lines still go out within the flush interval. */
const BUFFERED_BYTES = 4096;
const FLUSH_INTERVAL_MS = 100;

/** One per process: loggers sharing it never interleave their buffered writes on stdout. */
let stdout: DestinationStream | undefined;

function bufferedStdout(): DestinationStream {
  if (stdout) return stdout;
  const destination = pino.destination({ dest: 1, sync: false, minLength: BUFFERED_BYTES });
  const flushing = setInterval(() => destination.flush(), FLUSH_INTERVAL_MS).unref();
  destination.once('close', () => {
    clearInterval(flushing);
    stdout = undefined;
  });
  stdout = destination;
  return destination;
}

/** trace_id and span_id of the active span, so a log line leads to its trace; none when not tracing. */
function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const context = span.spanContext();
  return isSpanContextValid(context) ? { trace_id: context.traceId, span_id: context.spanId } : {};
}
