import { startTracing, type Tracing } from '@foreman/tracing';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import nodemailer from 'nodemailer';
import {
  countRecipients,
  createSmtpTransport,
  redactAddresses,
  smtpTarget,
  traceSmtp,
} from '../src/index.js';
import { startTestSmtpServer, type TestSmtpServer } from '../src/testing.js';

describe('SMTP client spans', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let smtp: TestSmtpServer;
  const tracer = () => trace.getTracer('mail-test');

  beforeAll(async () => {
    tracing = startTracing({
      service: 'mail-test',
      env: {},
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      instrumentations: [],
    });
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
    await tracing?.shutdown();
  });
  beforeEach(() => {
    exporter.reset();
    smtp.state.rejectAll = false;
  });

  /** Runs `send` inside a `handler` span, as a task's run span would be, and returns both spans. */
  async function underHandler(
    send: () => Promise<unknown>,
  ): Promise<{ handler: ReadableSpan; smtp: ReadableSpan }> {
    await tracer()
      .startActiveSpan('handler', async (span) => {
        try {
          await send();
        } finally {
          span.end();
        }
      })
      .catch(() => undefined);
    const spans = exporter.getFinishedSpans();
    const handler = spans.find((span) => span.name === 'handler');
    const sent = spans.find((span) => span.name === 'smtp send');
    if (!handler || !sent) throw new Error(`spans: ${spans.map((span) => span.name).join(', ')}`);
    return { handler, smtp: sent };
  }

  const noAddressIn = (span: ReadableSpan) => {
    const text = JSON.stringify({ attributes: span.attributes, status: span.status, events: span.events });
    expect(text).not.toMatch(/@example\.test|@refused\.test/);
    expect(text).not.toContain('s3cret');
  };

  it('wraps each send in a client span under the active span, with server and counts only', async () => {
    const transport = smtp.transport();
    const { handler, smtp: span } = await underHandler(() =>
      transport.sendMail({
        from: 'Foreman <foreman@example.test>',
        to: 'Ada <ada@example.test>, bob@example.test',
        cc: [{ name: 'Cy', address: 'cy@example.test' }],
        subject: 'quarterly numbers',
        text: 'body text',
      }),
    );
    expect(smtp.deliveries()).toEqual(['ada@example.test', 'bob@example.test', 'cy@example.test']);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.spanContext().traceId).toBe(handler.spanContext().traceId);
    expect(span.parentSpanContext?.spanId).toBe(handler.spanContext().spanId);
    expect(span.attributes).toEqual({
      'server.address': '127.0.0.1',
      'server.port': smtp.port,
      'network.transport': 'tcp',
      'network.protocol.name': 'smtp',
      'smtp.secure': false,
      'smtp.recipients': 3,
      'smtp.accepted': 3,
      'smtp.rejected': 0,
      'smtp.response.code': 250,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    noAddressIn(span);
    transport.close();
  });

  it('counts a partly refused message and keeps the span successful', async () => {
    const transport = smtp.transport();
    const { smtp: span } = await underHandler(() =>
      transport.sendMail({ from: 'f@example.test', to: ['ok@example.test', 'no@refused.test'], text: 'x' }),
    );
    expect(span.attributes).toMatchObject({ 'smtp.recipients': 2, 'smtp.accepted': 1, 'smtp.rejected': 1 });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    noAddressIn(span);
    transport.close();
  });

  it('marks a refused send as an error without naming the recipients', async () => {
    smtp.state.rejectAll = true;
    const transport = smtp.transport();
    const failure = transport.sendMail({ from: 'f@example.test', to: 'gone@refused.test', text: 'x' });
    const { smtp: span } = await underHandler(() => failure);
    await expect(failure).rejects.toThrow(/gone@refused\.test|recipients/);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'error.type': 'EENVELOPE', 'smtp.response.code': 550 });
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
    noAddressIn(span);
    transport.close();
  });

  it('marks an unreachable server as an error', async () => {
    const transport = createSmtpTransport('smtp://127.0.0.1:1');
    const { smtp: span } = await underHandler(() =>
      transport.sendMail({ from: 'f@example.test', to: 'a@example.test', text: 'x' }),
    );
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ 'server.port': 1, 'error.type': 'ESOCKET' });
    transport.close();
  });

  it('keeps the callback form of sendMail working', async () => {
    const transport = smtp.transport();
    const info = await new Promise<{ accepted: unknown[] }>((resolve, reject) =>
      transport.sendMail({ from: 'f@example.test', to: 'cb@example.test', text: 'x' }, (error, sent) =>
        error ? reject(error) : resolve(sent),
      ),
    );
    expect(info.accepted).toEqual(['cb@example.test']);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['smtp send']);
    transport.close();
  });

  it('never puts the credentials of the URL on a span', async () => {
    const transport = createSmtpTransport(`smtp://user:s3cret@127.0.0.1:${smtp.port}`);
    const { smtp: span } = await underHandler(() =>
      transport.sendMail({ from: 'f@example.test', to: 'a@example.test', text: 'x' }),
    );
    // The test server takes no logins: the send fails in AUTH, and says so without the password.
    expect(span.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'error.type': 'EAUTH' });
    noAddressIn(span);
    transport.close();
  });

  it('reads the server with nodemailer defaults, and wraps a transport once', () => {
    const transport = nodemailer.createTransport('smtps://user:s3cret@mail.example.test');
    expect(traceSmtp(traceSmtp(transport))).toBe(transport);
    expect(smtpTarget(transport)).toEqual({ host: 'mail.example.test', port: 465, secure: true });
    expect(smtpTarget(nodemailer.createTransport('smtp://mail.example.test'))).toEqual({
      host: 'mail.example.test',
      port: 587,
      secure: false,
    });
  });
});

describe('recipient counting and redaction', () => {
  it('counts the addresses nodemailer would send to', () => {
    expect(countRecipients({ to: '"Doe, Jane" <jane@x.test>, b@x.test', bcc: 'c@x.test' })).toBe(3);
    expect(countRecipients({ to: ['a@x.test', { name: 'B', address: 'b@x.test' }] })).toBe(2);
    expect(countRecipients({ to: 'a@x.test', envelope: { to: 'e@x.test', cc: 'f@x.test, g@x.test' } })).toBe(
      3,
    );
    expect(countRecipients({})).toBe(0);
  });

  it('replaces every address in a message', () => {
    expect(redactAddresses("Can't send mail - all recipients were rejected: 550 <a.b@x.test>: no")).toBe(
      "Can't send mail - all recipients were rejected: 550 <<address>>: no",
    );
  });
});
