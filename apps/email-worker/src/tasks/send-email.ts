import { email } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import type { SmtpTransport } from '@foreman/mail';

/** Hands one message to the SMTP server; a rejected recipient is reported, not retried. */
export function sendEmailTask({ transport, from }: { transport: SmtpTransport; from: string }) {
  return implementTask(email.sendEmail, async (message, context) => {
    context.signal.throwIfAborted();
    const info = await transport.sendMail({
      from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      headers: { 'X-Foreman-Task-Id': context.taskId },
    });
    return {
      messageId: String(info.messageId),
      accepted: info.accepted.map(String),
      rejected: info.rejected.map(String),
    };
  });
}
