import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { traceSmtp } from './trace-smtp.js';

export type SmtpTransport = Transporter<SMTPTransport.SentMessageInfo, SMTPTransport.Options>;

/**
 * A nodemailer transport for `smtp://user:pass@host:port` (or `smtps://` for implicit TLS) whose
 * every send is traced (`traceSmtp`). The one way the apps build their SMTP transports.
 */
export function createSmtpTransport(smtpUrl: string): SmtpTransport {
  return traceSmtp(nodemailer.createTransport(smtpUrl));
}
