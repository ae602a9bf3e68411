import { email } from '@foreman/contracts';
import { implementTask, RateLimitedError } from '@foreman/core/task';
import type { SmtpTransport } from '@foreman/mail';

/** How long a send waits after a 421: SMTP says "later" but not when. */
export const SMTP_PUSH_BACK_MS = 60_000;

/**
 * Hands one message to the SMTP server; a rejected recipient is reported, not retried. A 421 (the
 * relay is busy or limits the sender) pushes the task back without spending an attempt.
 */
export function sendEmailTask({ transport, from }: { transport: SmtpTransport; from: string }) {
  return implementTask(email.sendEmail, async (message, context) => {
    context.signal.throwIfAborted();
    const info = await transport
      .sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        headers: { 'X-Foreman-Task-Id': context.taskId },
      })
      .catch((error: unknown) => {
        if ((error as { responseCode?: unknown }).responseCode !== 421) throw error;
        throw new RateLimitedError(
          { retryAfterMs: SMTP_PUSH_BACK_MS, reason: `SMTP relay answered 421: ${(error as Error).message}` },
          { cause: error },
        );
      });
    return {
      messageId: String(info.messageId),
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
    };
  });
}
