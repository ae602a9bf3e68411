import { email } from '@foreman/contracts';
import { implementTask } from '@foreman/core/task';
import {
  aiTasks,
  and,
  type Db,
  emailDigestSubscriptions,
  emailOutbox,
  emailOutboxRecipients,
  eq,
  gte,
  lt,
  tasks,
} from '@foreman/db';
import { z } from 'zod';
import { buildDigest } from '../digest/build-digest.js';

const DAY = 24 * 3_600_000;
const address = z.email();

/**
 * Queues one digest per subscribed user and day into the outbox; the outbox's dedupe key makes a
 * retried or repeated run queue nothing new. process_email_queue sends them.
 */
export function sendDailyEmailSummaryTask({ db }: { db: Db }) {
  return implementTask(email.sendDailyEmailSummary, async (payload, context) => {
    const day = payload.day ?? new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const from = new Date(`${day}T00:00:00.000Z`);
    const until = new Date(from.getTime() + DAY);
    const subscriptions = await db
      .select()
      .from(emailDigestSubscriptions)
      .where(
        and(
          eq(emailDigestSubscriptions.enabled, true),
          payload.userId ? eq(emailDigestSubscriptions.userId, payload.userId) : undefined,
        ),
      );
    let queued = 0;
    let alreadyQueued = 0;
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, subscription] of subscriptions.entries()) {
      context.signal.throwIfAborted();
      const { userId } = subscription;
      if (!address.safeParse(subscription.address).success) {
        errors.push({ id: userId, error: `"${subscription.address}" is not a valid email address` });
        continue;
      }
      const userTasks = await db
        .select({ name: tasks.name, status: tasks.status, error: tasks.error })
        .from(tasks)
        .where(and(eq(tasks.userId, userId), gte(tasks.createdAt, from), lt(tasks.createdAt, until)));
      const aiResults = await db
        .select({ name: aiTasks.name, lastResult: aiTasks.lastResult, lastError: aiTasks.lastError })
        .from(aiTasks)
        .where(and(eq(aiTasks.userId, userId), gte(aiTasks.lastRunAt, from), lt(aiTasks.lastRunAt, until)));
      const digest = buildDigest(day, userTasks, aiResults);
      const inserted = await db.transaction(async (tx) => {
        const [message] = await tx
          .insert(emailOutbox)
          .values({
            userId,
            subject: digest.subject,
            text: digest.text,
            dedupeKey: `digest:${userId}:${day}`,
          })
          .onConflictDoNothing()
          .returning({ id: emailOutbox.id });
        if (message) {
          await tx
            .insert(emailOutboxRecipients)
            .values({ messageId: message.id, address: subscription.address });
        }
        return message !== undefined;
      });
      if (inserted) queued += 1;
      else alreadyQueued += 1;
      await context.progress(((index + 1) / subscriptions.length) * 100);
    }
    return { day, users: subscriptions.length, queued, alreadyQueued, errors };
  });
}
