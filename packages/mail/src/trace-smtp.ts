import { type Attributes, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { SentMessageInfo, Transporter } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { countRecipients } from './count-recipients.js';
import { redactAddresses } from './redact-addresses.js';
import { smtpTarget } from './smtp-target.js';

const TRACED = Symbol.for('@foreman/mail.traced');

interface SmtpError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
}

type SendCallback = (error: Error | null, info: SentMessageInfo) => void;

/**
 * Makes every `sendMail` of a nodemailer SMTP transport an OpenTelemetry client span (`smtp send`),
 * a child of whatever span is active (a task's `run` span), with the server, the number of
 * recipients and how many the server accepted; a failed send sets the span's status to error.
 * Spans never carry an address, a subject, a body or the server's credentials: attributes hold
 * counts and codes only, error messages are stripped of addresses. Without a tracing SDK every
 * span is a no-op. Wraps the transport in place and returns it; wrapping twice does nothing.
 */
export function traceSmtp<T extends Transporter>(transport: T): T {
  const marked = transport as T & { [TRACED]?: true };
  if (marked[TRACED]) return transport;
  const target = smtpTarget(transport);
  const send = transport.sendMail.bind(transport) as (mail: Mail.Options) => Promise<SentMessageInfo>;
  const tracer = trace.getTracer('@foreman/mail');
  const traced = async (mail: Mail.Options): Promise<SentMessageInfo> => {
    const span = tracer.startSpan('smtp send', {
      kind: SpanKind.CLIENT,
      attributes: {
        'server.address': target.host,
        'server.port': target.port,
        'network.transport': 'tcp',
        'network.protocol.name': 'smtp',
        'smtp.secure': target.secure,
        'smtp.recipients': countRecipients(mail),
      },
    });
    try {
      const info = await send(mail);
      span.setAttributes(outcomeAttributes(info));
      return info;
    } catch (error) {
      recordFailure(span, error as SmtpError);
      throw error;
    } finally {
      span.end();
    }
  };
  function sendMail(mail: Mail.Options, callback?: SendCallback) {
    const sent = traced(mail);
    if (!callback) return sent;
    sent.then(
      (info) => callback(null, info),
      (error: Error) => callback(error, undefined),
    );
    return undefined;
  }
  transport.sendMail = sendMail as T['sendMail'];
  marked[TRACED] = true;
  return transport;
}

function outcomeAttributes(info: SentMessageInfo): Attributes {
  const { accepted, rejected, response } = info as {
    accepted?: unknown[];
    rejected?: unknown[];
    response?: string;
  };
  const code = Number.parseInt(String(response ?? ''), 10);
  return {
    ...(accepted ? { 'smtp.accepted': accepted.length } : {}),
    ...(rejected ? { 'smtp.rejected': rejected.length } : {}),
    ...(Number.isFinite(code) ? { 'smtp.response.code': code } : {}),
  };
}

function recordFailure(span: Span, error: SmtpError): void {
  const message = redactAddresses(error.message ?? String(error));
  span.setAttributes({
    'error.type': error.code ?? error.name ?? 'Error',
    ...(typeof error.responseCode === 'number' ? { 'smtp.response.code': error.responseCode } : {}),
    ...(error.command ? { 'smtp.command': error.command.split(' ')[0] } : {}),
  });
  span.recordException({
    name: error.name ?? 'Error',
    message,
    ...(error.code ? { code: error.code } : {}),
    ...(error.stack ? { stack: redactAddresses(error.stack) } : {}),
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
