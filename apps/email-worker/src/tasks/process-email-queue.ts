import { email } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import {
  and,
  asc,
  type Db,
  type EmailOutboxRow,
  emailOutbox,
  emailOutboxRecipients,
  eq,
  inArray,
  lt,
  sql,
} from '@foreman/db';
import type { SmtpTransport } from '@foreman/mail';
import { z } from 'zod';
import { smtpOutcome } from '../outbox/smtp-outcome.js';

export interface ProcessEmailQueueDeps {
  db: Db;
  transport: SmtpTransport;
  from: string;
  /** Runs that may fail to reach the server before a message fails for good. */
  maxAttempts: number;
  /** Age of a `sending` claim after which its attempt is taken as lost. */
  staleSendingMs: number;
}

const address = z.email();

interface Tally {
  sent: number;
  failed: number;
  deferred: number;
}

/**
 * Sends the outbox. Each recipient is claimed (`pending` -> `sending`) before the SMTP transaction
 * and settled after it, so a retried or concurrent run never sends to anyone twice.
 */
export function processEmailQueueTask(deps: ProcessEmailQueueDeps) {
  return implementTask(email.processEmailQueue, async ({ limit }, context) => {
    const messages = await deps.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.status, 'pending'))
      .orderBy(asc(emailOutbox.createdAt))
      .limit(limit);
    const tally: Tally = { sent: 0, failed: 0, deferred: 0 };
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, message] of messages.entries()) {
      context.signal.throwIfAborted();
      try {
        const error = await sendMessage(deps, message, tally, context.taskId);
        if (error) errors.push({ id: message.id, error });
      } catch (error) {
        errors.push({ id: message.id, error: (error as Error).message });
      }
      await context.progress(((index + 1) / messages.length) * 100, `${index + 1} of ${messages.length}`);
    }
    return { messages: messages.length, ...tally, errors };
  });
}

async function sendMessage(
  deps: ProcessEmailQueueDeps,
  message: EmailOutboxRow,
  tally: Tally,
  taskId: string,
): Promise<string | undefined> {
  const { db } = deps;
  const recipients = emailOutboxRecipients;
  const now = new Date();
  // A claim that outlived any attempt was lost mid-send: it may have been delivered, so fail it.
  const lost = await db
    .update(recipients)
    .set({ status: 'failed', error: 'an earlier send was interrupted; not resent to avoid a duplicate' })
    .where(
      and(
        eq(recipients.messageId, message.id),
        eq(recipients.status, 'sending'),
        lt(recipients.claimedAt, new Date(now.getTime() - deps.staleSendingMs)),
      ),
    )
    .returning({ id: recipients.id });
  tally.failed += lost.length;

  const pending = await db
    .select()
    .from(recipients)
    .where(and(eq(recipients.messageId, message.id), eq(recipients.status, 'pending')));
  const invalid = pending.filter((row) => !address.safeParse(row.address).success);
  if (invalid.length > 0) {
    await db
      .update(recipients)
      .set({ status: 'failed', error: 'not a valid email address' })
      .where(
        inArray(
          recipients.id,
          invalid.map((row) => row.id),
        ),
      );
    tally.failed += invalid.length;
  }
  const valid = pending.filter((row) => !invalid.includes(row));
  // The claim: only the run whose update flips a row from pending may send to it.
  const claimed =
    valid.length === 0
      ? []
      : await db
          .update(recipients)
          .set({ status: 'sending', claimedAt: now })
          .where(
            and(
              inArray(
                recipients.id,
                valid.map((row) => row.id),
              ),
              eq(recipients.status, 'pending'),
            ),
          )
          .returning();

  let error: string | undefined;
  if (claimed.length > 0) {
    const ids = claimed.map((row) => row.id);
    try {
      const info = await deps.transport.sendMail({
        from: deps.from,
        to: claimed.map((row) => row.address),
        subject: message.subject,
        text: message.text,
        ...(message.html ? { html: message.html } : {}),
        messageId: `<${message.id}@foreman>`,
        headers: { 'X-Foreman-Outbox-Id': message.id, 'X-Foreman-Task-Id': taskId },
      });
      const accepted = new Set(info.accepted.map((value: unknown) => String(value).toLowerCase()));
      const sentIds = claimed.filter((row) => accepted.has(row.address.toLowerCase())).map((row) => row.id);
      const refusedIds = ids.filter((id) => !sentIds.includes(id));
      if (sentIds.length > 0) {
        await db
          .update(recipients)
          .set({ status: 'sent', sentAt: new Date(), smtpMessageId: String(info.messageId), error: null })
          .where(inArray(recipients.id, sentIds));
      }
      if (refusedIds.length > 0) {
        await db
          .update(recipients)
          .set({ status: 'failed', error: `refused by the server: ${info.response ?? 'recipient rejected'}` })
          .where(inArray(recipients.id, refusedIds));
      }
      tally.sent += sentIds.length;
      tally.failed += refusedIds.length;
    } catch (thrown) {
      error = (thrown as Error).message;
      const outcome = smtpOutcome(thrown);
      const attempts = message.attempts + 1;
      const giveUp = outcome !== 'not-sent' || attempts >= deps.maxAttempts;
      await db
        .update(recipients)
        .set(
          giveUp
            ? {
                status: 'failed',
                error:
                  outcome === 'unknown' ? `delivery unknown, not resent: ${error}` : `send failed: ${error}`,
              }
            : { status: 'pending', claimedAt: null, error },
        )
        .where(inArray(recipients.id, ids));
      await db
        .update(emailOutbox)
        .set({ attempts: sql`${emailOutbox.attempts} + 1`, lastError: error })
        .where(eq(emailOutbox.id, message.id));
      if (giveUp) tally.failed += ids.length;
      else tally.deferred += ids.length;
    }
  }
  await settleMessage(db, message.id);
  return error;
}

/** A message is done once none of its recipients is pending or being sent. */
async function settleMessage(db: Db, messageId: string): Promise<void> {
  const rows = await db
    .select({ status: emailOutboxRecipients.status })
    .from(emailOutboxRecipients)
    .where(eq(emailOutboxRecipients.messageId, messageId));
  if (rows.some((row) => row.status === 'pending' || row.status === 'sending')) return;
  const sent = rows.filter((row) => row.status === 'sent').length;
  const status = sent === 0 ? 'failed' : sent === rows.length ? 'sent' : 'partial';
  await db
    .update(emailOutbox)
    .set({ status, completedAt: new Date(), ...(rows.length === 0 ? { lastError: 'no recipients' } : {}) })
    .where(and(eq(emailOutbox.id, messageId), eq(emailOutbox.status, 'pending')));
}
