import type { Transporter } from 'nodemailer';

/** Where a transport delivers: what a span may say about the server (never its credentials). */
export interface SmtpTarget {
  host: string;
  port: number;
  /** Implicit TLS (smtps://). */
  secure: boolean;
}

interface SmtpOptions {
  host?: string;
  port?: number | string;
  secure?: boolean;
}

/**
 * The server of a nodemailer SMTP transport (single or pooled), with nodemailer's own defaults:
 * localhost, port 465 with implicit TLS and 587 without.
 */
export function smtpTarget(transport: Transporter): SmtpTarget {
  const options = (transport.transporter as { options?: SmtpOptions }).options ?? {};
  const secure = options.secure === true;
  return {
    host: options.host ?? 'localhost',
    port: Number(options.port) || (secure ? 465 : 587),
    secure,
  };
}
