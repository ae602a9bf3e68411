import { emailIntelligence } from '@foreman/contracts';
import { implementTask, NonRetryableError } from '@foreman/core/task';
import {
  and,
  count,
  type Db,
  eq,
  gte,
  inArray,
  inboundEmails,
  isNotNull,
  lt,
  sql,
  tasks,
  userDailyAnalytics,
} from '@foreman/db';

export interface UpdateAnalyticsDeps {
  db: Db;
  /** How long after a message a reply in the Sent folder still counts as its answer. */
  replyWindowDays: number;
}

const DAY = 86_400_000;
const SENT_FOLDER = '^(sent|sent items|sent mail|sent messages|\\[gmail\\]/sent mail)$';
const FINISHED = ['completed', 'failed', 'cancelled'] as const;

/**
 * Aggregates one UTC day per user and upserts it, so a rerun (or a retry) replaces the day's row
 * with the same figures. A user that fails is reported and the others still run.
 */
export function updateAnalyticsTask({ db, replyWindowDays }: UpdateAnalyticsDeps) {
  return implementTask(emailIntelligence.updateAnalytics, async (payload, context) => {
    const day = payload.day ?? new Date(Date.now() - DAY).toISOString().slice(0, 10);
    const from = new Date(`${day}T00:00:00.000Z`);
    if (Number.isNaN(from.getTime())) throw new NonRetryableError(`Not a day: ${day}`);
    const to = new Date(from.getTime() + DAY);
    const users = payload.userId ? [payload.userId] : await activeUsers(db, from, to);
    const errors: Array<{ id: string; error: string }> = [];
    for (const [index, userId] of users.entries()) {
      context.signal.throwIfAborted();
      try {
        const row = {
          userId,
          day,
          ...(await aggregate(db, userId, from, to, replyWindowDays)),
          updatedAt: new Date(),
        };
        await db
          .insert(userDailyAnalytics)
          .values(row)
          .onConflictDoUpdate({ target: [userDailyAnalytics.userId, userDailyAnalytics.day], set: row });
      } catch (error) {
        if (context.signal.aborted) throw error;
        errors.push({ id: userId, error: (error as Error).message });
      }
      await context.progress(((index + 1) / users.length) * 100, userId);
    }
    return { day, users: users.length, errors };
  });
}

async function activeUsers(db: Db, from: Date, to: Date): Promise<string[]> {
  const [mail, finished] = await Promise.all([
    db
      .selectDistinct({ userId: inboundEmails.userId })
      .from(inboundEmails)
      .where(and(gte(inboundEmails.receivedAt, from), lt(inboundEmails.receivedAt, to))),
    db
      .selectDistinct({ userId: tasks.userId })
      .from(tasks)
      .where(and(isNotNull(tasks.userId), gte(tasks.completedAt, from), lt(tasks.completedAt, to))),
  ]);
  return [...new Set([...mail, ...finished].map((row) => row.userId as string))].sort();
}

async function aggregate(db: Db, userId: string, from: Date, to: Date, replyWindowDays: number) {
  const isSent = sql`coalesce(${inboundEmails.folder}, '') ~* ${SENT_FOLDER}`;
  const received = and(
    eq(inboundEmails.userId, userId),
    gte(inboundEmails.receivedAt, from),
    lt(inboundEmails.receivedAt, to),
    sql`not ${isSent}`,
  );
  const [byCategory, incoming, sent, outcomes] = await Promise.all([
    db
      .select({ category: sql<string>`coalesce(${inboundEmails.category}, 'uncategorized')`, n: count() })
      .from(inboundEmails)
      .where(received)
      .groupBy(sql`1`),
    db
      .select({
        from: inboundEmails.fromAddress,
        subject: inboundEmails.subject,
        at: inboundEmails.receivedAt,
      })
      .from(inboundEmails)
      .where(received),
    db
      .select({ to: inboundEmails.toAddresses, subject: inboundEmails.subject, at: inboundEmails.receivedAt })
      .from(inboundEmails)
      .where(
        and(
          eq(inboundEmails.userId, userId),
          isSent,
          gte(inboundEmails.receivedAt, from),
          lt(inboundEmails.receivedAt, new Date(to.getTime() + replyWindowDays * DAY)),
        ),
      ),
    db
      .select({ name: tasks.name, status: tasks.status, n: count() })
      .from(tasks)
      .where(
        and(
          eq(tasks.userId, userId),
          inArray(tasks.status, [...FINISHED]),
          gte(tasks.completedAt, from),
          lt(tasks.completedAt, to),
        ),
      )
      .groupBy(tasks.name, tasks.status),
  ]);
  const delays = replyDelays(incoming, sent);
  const tasksByName: Record<string, Record<string, number>> = {};
  const outcome = { completed: 0, failed: 0, cancelled: 0 };
  for (const { name, status, n } of outcomes) {
    tasksByName[name] = { ...tasksByName[name], [status]: n };
    outcome[status as keyof typeof outcome] += n;
  }
  return {
    emailsReceived: incoming.length,
    categories: Object.fromEntries(byCategory.map((row) => [row.category, row.n])),
    replies: delays.length,
    medianResponseMinutes: median(delays),
    tasksCompleted: outcome.completed,
    tasksFailed: outcome.failed,
    tasksCancelled: outcome.cancelled,
    tasksByName,
  };
}

const addressOf = (value: string) => (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
const threadSubject = (subject: string) =>
  subject
    .replace(/^\s*((re|aw|sv|antw)\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();

/**
 * Minutes from each message to the first later message in a Sent folder to its sender with the
 * same subject (less "Re:"): the replies that stored mail can show without threading headers.
 */
function replyDelays(
  incoming: ReadonlyArray<{ from: string; subject: string; at: Date }>,
  sent: ReadonlyArray<{ to: string[] | null; subject: string; at: Date }>,
): number[] {
  const delays: number[] = [];
  for (const message of incoming) {
    const sender = addressOf(message.from);
    const subject = threadSubject(message.subject);
    const reply = sent
      .filter(
        (candidate) =>
          candidate.at > message.at &&
          threadSubject(candidate.subject) === subject &&
          (candidate.to ?? []).some((address) => addressOf(address) === sender),
      )
      .sort((a, b) => a.at.getTime() - b.at.getTime())[0];
    if (reply) delays.push((reply.at.getTime() - message.at.getTime()) / 60_000);
  }
  return delays;
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
