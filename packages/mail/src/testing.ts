/**
 * Test helpers (`@foreman/mail/testing`): a real SMTP server on loopback. Needs `smtp-server`,
 * which only the tests that import this install (a devDependency), never a deployed app.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { createSmtpTransport, type SmtpTransport } from './create-smtp-transport.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
}

export interface TestSmtpServer {
  /** Every message accepted, oldest first. */
  readonly received: ReceivedMail[];
  /**
   * While `rejectAll` is set every recipient is refused with 550; while `busy` is set every
   * message is refused at MAIL FROM with 421 (the server's "too many, come back later").
   */
  readonly state: { rejectAll: boolean; busy: boolean };
  readonly port: number;
  /** smtp://127.0.0.1:<port> */
  readonly url: string;
  /** A new traced transport to this server (`createSmtpTransport`). */
  transport(): SmtpTransport;
  /** Every address the server accepted a message for, once per message, sorted. */
  deliveries(): string[];
  close(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 (a free port, no TLS, no auth needed) that keeps what it
 * receives. Recipients at @refused.test get a 550.
 */
export async function startTestSmtpServer(): Promise<TestSmtpServer> {
  const received: ReceivedMail[] = [];
  const state = { rejectAll: false, busy: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onMailFrom(_address, _session, callback) {
      if (!state.busy) return callback();
      const error = new Error('too many messages, try again later') as Error & { responseCode: number };
      error.responseCode = 421;
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (state.rejectAll || address.address.endsWith('@refused.test')) {
        const error = new Error('mailbox unavailable') as Error & { responseCode: number };
        error.responseCode = 550;
        callback(error);
      } else callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => {
        raw += chunk.toString();
      });
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const url = `smtp://127.0.0.1:${port}`;
  return {
    received,
    state,
    port,
    url,
    transport: () => createSmtpTransport(url),
    deliveries: () => received.flatMap((message) => message.to).sort(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
