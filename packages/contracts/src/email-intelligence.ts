import { declareSchedule, defineTask, EVERY_USER } from '@foreman/core/producer';
import { z } from 'zod';
import { QUEUES } from './queues.js';

const userId = z.string().min(1).max(200);
const itemError = z.object({ id: z.string(), error: z.string() });
const ownUser = ({ userId }: { userId: string }) => ({ userId });

/** How many messages each kind of decision placed, as classify and reclassify report it. */
const classificationTally = z.object({
  classified: z.number().int(),
  byFeedback: z.number().int(),
  byLearned: z.number().int(),
  byRule: z.number().int(),
  byReputation: z.number().int(),
  byAi: z.number().int(),
  byDefault: z.number().int(),
  /** Messages whose category changed (only re-labelling can change one). */
  changed: z.number().int(),
  errors: z.array(itemError),
});

export const classifyEmailBatch = defineTask({
  name: 'email.classify_email_batch',
  queue: QUEUES.email,
  ownedBy: ownUser,
  description:
    "Classifies a batch of a user's synced messages: their corrections first, then what was learned from them, rules, sender reputation, the model (with the corrections as examples) and the default.",
  payload: z
    .object({
      userId,
      limit: z.number().int().positive().max(10_000).default(500),
      /** Overrides EMAIL_AI_CATEGORIZE for this run. */
      useAi: z.boolean().optional(),
      /** Re-label messages already classified too (never those the user corrected). */
      reclassify: z.boolean().default(false),
    })
    .strict(),
  result: classificationTally,
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 10 * 60_000,
});

export const reclassifyWithFeedback = defineTask({
  name: 'email.reclassify_with_feedback',
  queue: QUEUES.email,
  ownedBy: ownUser,
  description:
    "Applies a user's stored corrections: corrected messages get the category they were given, then the rest of the user's mail is classified again with what the corrections taught.",
  payload: z
    .object({
      userId,
      /** Most messages re-labelled besides the corrected ones. */
      limit: z.number().int().positive().max(50_000).default(5_000),
      useAi: z.boolean().optional(),
    })
    .strict(),
  result: classificationTally.extend({ corrections: z.number().int() }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 30 * 60_000,
});

export const clusterUserEmails = defineTask({
  name: 'email.cluster_user_emails',
  queue: QUEUES.email,
  ownedBy: ownUser,
  description:
    "Groups a user's messages into topics (k-means over model embeddings, or TF-IDF vectors without a model) and labels each topic with its top terms; replaces the user's previous clusters.",
  payload: z
    .object({
      userId,
      /** Number of topics; about sqrt(messages / 2), at most 12, when absent. */
      clusters: z.number().int().min(1).max(100).optional(),
      /** The newest messages taken. */
      limit: z.number().int().positive().max(20_000).default(2_000),
      /** false: TF-IDF even when EMAIL_EMBEDDING_MODEL is set; true: fail without one. */
      useEmbeddings: z.boolean().optional(),
    })
    .strict(),
  result: z.object({
    method: z.enum(['embeddings', 'tfidf']),
    messages: z.number().int(),
    clusters: z.array(z.object({ id: z.string(), label: z.string(), size: z.number().int() })),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 30 * 60_000,
});

export const updateSenderReputation = defineTask({
  name: 'email.update_sender_reputation',
  queue: QUEUES.email,
  ownedBy: ownUser,
  description:
    "Scores each sender of a user's mail from -1 to 1 by what the user does with it (read, replied, archived unread, marked junk, corrected); classification sends low scorers to spam.",
  payload: z.object({ userId }).strict(),
  result: z.object({
    senders: z.number().int(),
    low: z.number().int(),
    high: z.number().int(),
  }),
  retry: { attempts: 3, delayMs: 10_000 },
  timeoutMs: 10 * 60_000,
});

export const updateAnalytics = defineTask({
  name: 'maintenance.update_analytics',
  queue: QUEUES.maintenance,
  ownedBy: ({ userId }) => (userId === undefined ? EVERY_USER : { userId }),
  description:
    'Writes per-user aggregates of one UTC day (yesterday by default): mail received by category, replies and their median delay, task outcomes.',
  payload: z
    .object({
      day: z.iso.date().optional(),
      /** One user; every user with mail or tasks that day when absent. */
      userId: userId.optional(),
    })
    .strict(),
  result: z.object({ day: z.string(), users: z.number().int(), errors: z.array(itemError) }),
  retry: { attempts: 3, delayMs: 60_000 },
  timeoutMs: 30 * 60_000,
});

export const exportUserData = defineTask({
  name: 'file.export_user_data',
  queue: QUEUES.file,
  ownedBy: ownUser,
  description:
    "Writes a zip of a user's messages as .eml files plus their classification data (categories, corrections, clusters, sender reputation) as JSON, with its SHA-256; downloadable from GET /exports/{id}/download.",
  payload: z.object({ userId }).strict(),
  result: z.object({
    exportId: z.string(),
    messages: z.number().int(),
    bytes: z.number().int(),
    sha256: z.string(),
  }),
  retry: { attempts: 3, delayMs: 30_000 },
  timeoutMs: 60 * 60_000,
});

export const schedules = [
  declareSchedule({
    id: 'maintenance.update_analytics.daily-0030',
    task: updateAnalytics,
    payload: {},
    cron: '30 0 * * *',
    description: "Aggregates yesterday's mail and tasks per user at 00:30 UTC",
  }),
];
