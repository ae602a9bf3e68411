import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { defineTask, implementTask, type Runtime, TaskRegistry, TaskWorker } from '@foreman/core';
import { createTestRedis, createTestRuntime, type TestRedis, waitFor } from '@foreman/core/testing';
import { ApiKeyStore, eq, tasks } from '@foreman/db';
import { createTestDatabase, type TestDatabase } from '@foreman/db/testing';
import { createLogger } from '@foreman/logger';
import { createSmtpTransport, type SmtpTransport } from '@foreman/mail';
import { startTestSmtpServer, type TestSmtpServer } from '@foreman/mail/testing';
import { startTracing, type Tracing } from '@foreman/tracing';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { z } from 'zod';
import { createApp } from '../src/app.js';

const fetchPage = defineTask({
  name: 'trace.fetch_page',
  queue: 'trace-test',
  payload: z.object({ url: z.url(), reportTo: z.email() }),
  result: z.object({ status: z.number() }),
});

describe('one trace from the api request through the queue into the handler and its HTTP and SMTP calls', () => {
  const exporter = new InMemorySpanExporter();
  const logLines: Array<Record<string, unknown>> = [];
  let tracing: Tracing | undefined;
  let redis: TestRedis;
  let testDb: TestDatabase;
  let runtime: Runtime;
  let worker: TaskWorker;
  let downstream: ReturnType<typeof createServer>;
  let downstreamUrl: string;
  let smtp: TestSmtpServer;
  let mail: SmtpTransport;

  beforeAll(async () => {
    tracing = startTracing({
      service: 'tracing-test',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      instrumentations: [new UndiciInstrumentation()],
    });
    redis = await createTestRedis('tracing');
    testDb = await createTestDatabase('tracing');
    downstream = createServer((_request, response) => response.writeHead(204).end());
    await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
    downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/page`;
    smtp = await startTestSmtpServer();
    // Built the way the email worker builds its transport.
    mail = createSmtpTransport(smtp.url);
    const logger = createLogger('tracing-test', {
      destination: new Writable({
        write(chunk, _encoding, done) {
          logLines.push(JSON.parse(String(chunk)));
          done();
        },
      }),
    });
    // Its own logger is silent: only the worker's lines are the handler's.
    runtime = await createTestRuntime({ redis, database: testDb, registry: new TaskRegistry([fetchPage]) });
    worker = new TaskWorker({
      queue: 'trace-test',
      tasks: [
        implementTask(fetchPage, async ({ url, reportTo }, context) => {
          const response = await fetch(url);
          context.logger.info({ status: response.status }, 'fetched');
          await mail.sendMail({
            from: 'foreman@example.test',
            to: reportTo,
            text: `status ${response.status}`,
          });
          return { status: response.status };
        }),
      ],
      connection: redis.redis,
      prefix: redis.prefix,
      events: runtime.events,
      records: runtime.records,
      logger,
    });
    await worker.start();
  });
  afterAll(async () => {
    await worker.close();
    await runtime.stop();
    await new Promise((resolve) => downstream.close(resolve));
    mail.close();
    await smtp.close();
    await redis.cleanup();
    await testDb.drop();
    await tracing?.shutdown();
  });

  it('links request, wait, run, the handler HTTP and SMTP calls and its log lines by one trace id', async () => {
    const keys = new ApiKeyStore(testDb.database.db);
    const { key } = await keys.create({ userId: 'tracer' });
    const app = createApp({
      client: runtime.client,
      database: testDb.database,
      redis: redis.redis,
      keys,
      logger: createLogger('api', { level: 'silent' }),
      prefix: redis.prefix,
      maxBodyBytes: 4_096,
      rateLimitPerMinute: 10_000,
    });
    // The caller's own trace: the api continues it rather than starting a new one.
    const callerTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await app.request('/tasks/trace.fetch_page', {
      method: 'POST',
      body: JSON.stringify({ url: downstreamUrl, reportTo: 'ops@example.test' }),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${key}`,
        traceparent: `00-${callerTraceId}-00f067aa0ba902b7-01`,
      },
    });
    expect(response.status).toBe(202);
    const { taskId } = (await response.json()) as { taskId: string };

    const spans = await waitFor(() => {
      const finished = exporter.getFinishedSpans();
      return finished.some((span) => span.name === 'run trace.fetch_page') ? finished : undefined;
    });
    const byName = (name: string) => spans.find((span) => span.name === name);
    const request = byName('POST /tasks/:name');
    const wait = byName('wait trace.fetch_page');
    const run = byName('run trace.fetch_page');
    const children = spans.filter((span) => span.parentSpanContext?.spanId === run?.spanContext().spanId);
    const outgoing = children.find((span) => span.attributes['url.full'] !== undefined);
    const sent = children.find((span) => span.name === 'smtp send');
    expect(request && wait && run && outgoing && sent).toBeTruthy();
    for (const span of [request, wait, run, outgoing, sent])
      expect(span?.spanContext().traceId).toBe(callerTraceId);
    expect(wait?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(run?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(run?.attributes['foreman.task.id']).toBe(taskId);
    expect(outgoing?.attributes['url.full']).toBe(downstreamUrl);
    expect(sent?.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': smtp.port,
      'smtp.recipients': 1,
      'smtp.accepted': 1,
    });
    expect(smtp.deliveries()).toEqual(['ops@example.test']);

    const fetched = logLines.find((line) => line.msg === 'fetched');
    expect(fetched).toMatchObject({ trace_id: callerTraceId, span_id: run?.spanContext().spanId });
    const record = await waitFor(async () => {
      const [row] = await testDb.database.db.select().from(tasks).where(eq(tasks.id, taskId));
      return row?.status === 'completed' ? row : undefined;
    });
    expect(record.traceId).toBe(callerTraceId);
  });
});
