import { declareSchedule, defineTask } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

export const sendEmail = defineTask({
  name: 'email.send_email',
  queue: QUEUES.email,
  description: 'Sends one message over SMTP.',
  payload: z
    .object({
      to: z.array(z.email()).min(1).max(50),
      subject: z.string().min(1).max(998),
      text: z.string().max(1_000_000),
      html: z.string().max(1_000_000).optional(),
    })
    .strict(),
  result: z.object({ messageId: z.string(), accepted: z.array(z.string()), rejected: z.array(z.string()) }),
  retry: { attempts: 5, delayMs: 5_000 },
  timeoutMs: 60_000,
  // No flow key: every send would then wait for admission, where a purge and the queue's depths
  // do not see it yet. A 421 pushes the one send back instead (see docs/flow-control.md).
});

const itemError = z.object({ id: z.string(), error: z.string() });

export const processEmailQueue = defineTask({
  name: 'email.process_email_queue',
  queue: QUEUES.email,
  audience: 'system',
  description:
    'Sends pending outbox messages over SMTP and settles each recipient as sent or failed; never sends to a recipient twice.',
  payload: z.object({ limit: z.number().int().positive().max(5_000).default(200) }).strict(),
  result: z.object({
    messages: z.number().int(),
    sent: z.number().int(),
    failed: z.number().int(),
    deferred: z.number().int(),
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 10 * 60_000,
});

export const sendDailyEmailSummary = defineTask({
  name: 'email.send_daily_email_summary',
  queue: QUEUES.email,
  audience: 'system',
  description:
    "Queues each subscribed user's digest of their tasks and AI results for one UTC day (yesterday by default).",
  payload: z.object({ day: z.iso.date().optional(), userId: z.string().min(1).optional() }).strict(),
  result: z.object({
    day: z.string(),
    users: z.number().int(),
    queued: z.number().int(),
    alreadyQueued: z.number().int(),
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 10 * 60_000,
});

export const categorizeEmails = defineTask({
  name: 'email.categorize_emails',
  queue: QUEUES.email,
  audience: 'system',
  description:
    'Sorts uncategorised inbound messages by rules (sender, subject, keyword), asking the model about the rest when enabled.',
  payload: z
    .object({
      limit: z.number().int().positive().max(10_000).default(500),
      /** Overrides EMAIL_AI_CATEGORIZE for this run. */
      useAi: z.boolean().optional(),
    })
    .strict(),
  result: z.object({
    categorized: z.number().int(),
    byRule: z.number().int(),
    byAi: z.number().int(),
    byDefault: z.number().int(),
    errors: z.array(itemError),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 10 * 60_000,
});

export const schedules = [
  declareSchedule({
    id: 'email.process_email_queue.every-5m',
    task: processEmailQueue,
    payload: {},
    everyMs: 5 * 60_000,
    description: 'Sends what is waiting in the outbox',
  }),
  declareSchedule({
    id: 'email.send_daily_email_summary.daily-0800',
    task: sendDailyEmailSummary,
    payload: {},
    cron: '0 8 * * *',
    description: "Queues yesterday's digest for every subscribed user at 08:00 UTC",
  }),
  declareSchedule({
    id: 'email.categorize_emails.every-15m',
    task: categorizeEmails,
    payload: {},
    everyMs: 15 * 60_000,
    description: 'Sorts newly received messages',
  }),
];
