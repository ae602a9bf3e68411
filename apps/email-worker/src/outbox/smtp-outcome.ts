/** What an SMTP failure means for the recipients of the attempt. */
export type SmtpOutcome = 'not-sent' | 'rejected' | 'unknown';

interface NodemailerError {
  code?: string;
  command?: string;
  responseCode?: number;
}

/**
 * Classifies a failed send. A server reply means the message was not accepted: 5xx for good, 4xx
 * worth another run. A connection lost while the body was being sent may or may not have delivered
 * it, so that one is never resent.
 */
export function smtpOutcome(error: unknown): SmtpOutcome {
  const { command, responseCode } = error as NodemailerError;
  if (typeof responseCode === 'number') return responseCode >= 500 ? 'rejected' : 'not-sent';
  return command === 'DATA' ? 'unknown' : 'not-sent';
}
