import {
  context,
  ProxyTracerProvider,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

// The API is a no-op until an app starts the SDK (@foreman/tracing).
const tracer = () => trace.getTracer('@foreman/core');

/** False until an SDK registers a tracer provider: no span is worth building before then. */
function tracing(): boolean {
  const provider = trace.getTracerProvider();
  return (
    !(provider instanceof ProxyTracerProvider) || provider.getDelegateTracer('@foreman/core') !== undefined
  );
}

/** W3C traceparent of the active span (the submitting request), or undefined when not tracing. */
export function activeTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The trace id inside a traceparent (`00-<trace id>-<span id>-<flags>`). */
export function traceIdOf(traceparent: string | undefined): string | null {
  // indexOf, not split: every attempt's row asks, and split makes an array and four strings.
  const start = traceparent === undefined ? -1 : traceparent.indexOf('-');
  if (start < 0) return null;
  const end = (traceparent as string).indexOf('-', start + 1);
  return (traceparent as string).slice(start + 1, end < 0 ? undefined : end);
}

export interface TaskSpanInfo {
  taskId: string;
  taskName: string;
  queue: string;
  attempt: number;
  traceparent: string | undefined;
  /** When the job became ready to run (created, or its delay elapsed). */
  readyAt: number;
  startedAt: Date;
}

/**
 * Runs an attempt inside a `run <task>` span parented by the submitter's trace, after a
 * `wait <task>` span covering its time in the queue: one trace shows submit -> wait -> run, and
 * the handler's own HTTP and database calls become children of the run span.
 */
export function inTaskSpan<T>(describe: () => TaskSpanInfo, run: () => Promise<T>): Promise<T> {
  // Even no-op spans cost a busy worker a few percent of its CPU; so does a promise around `run`'s,
  // and the span's description is only built when there is a span to describe.
  if (!tracing()) return run();
  return inSpans(describe(), run);
}

async function inSpans<T>(info: TaskSpanInfo, run: () => Promise<T>): Promise<T> {
  const parent = propagation.extract(ROOT_CONTEXT, info.traceparent ? { traceparent: info.traceparent } : {});
  const attributes = {
    'foreman.task.id': info.taskId,
    'foreman.task.name': info.taskName,
    'foreman.task.attempt': info.attempt,
    'messaging.system': 'bullmq',
    'messaging.destination.name': info.queue,
  };
  tracer()
    .startSpan(
      `wait ${info.taskName}`,
      { attributes, startTime: Math.min(info.readyAt, info.startedAt.getTime()) },
      parent,
    )
    .end(info.startedAt);
  return tracer().startActiveSpan(
    `run ${info.taskName}`,
    { kind: SpanKind.CONSUMER, attributes, startTime: info.startedAt },
    parent,
    async (span) => {
      try {
        const result = await run();
        span.setStatus({ code: SpanStatusCode.OK });
        return result;
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    },
  );
}
