import { z } from 'zod';

const base = {
  /** Stable id: lower-case letters, digits, - and _. */
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, 'lower-case letters, digits, - and _ only'),
  description: z.string().max(500).optional(),
  severity: z.enum(['warning', 'critical']),
  /** Span of the data a rule looks at. */
  windowMs: z
    .number()
    .int()
    .positive()
    .default(5 * 60_000),
  /** Least time between two notifications of one rule (first, reminder, or a new alert after a resolve). */
  cooldownMs: z
    .number()
    .int()
    .nonnegative()
    .default(15 * 60_000),
  /** Names of the channels to notify; `log` always exists. */
  channels: z.array(z.string().min(1)).min(1).default(['log']),
  enabled: z.boolean().default(true),
};

/**
 * An alert rule: fires while the measured value is above `threshold`. What is measured, and in
 * which unit, depends on `kind` (see README "Observability").
 */
export const alertRuleSchema = z.discriminatedUnion('kind', [
  /** Final failures over finished tasks of `task`, 0..1; quiet below `minTasks` finished tasks. */
  z.object({
    ...base,
    kind: z.literal('failure_rate'),
    task: z.string().min(1),
    threshold: z.number().min(0).max(1),
    minTasks: z.number().int().positive().default(1),
  }),
  /** p95 run time of `task` in milliseconds. */
  z.object({
    ...base,
    kind: z.literal('p95_duration'),
    task: z.string().min(1),
    threshold: z.number().positive(),
  }),
  /** Jobs of `queue` in `states`. */
  z.object({
    ...base,
    kind: z.literal('queue_depth'),
    queue: z.string().min(1),
    threshold: z.number().nonnegative(),
    states: z
      .array(z.enum(['waiting', 'prioritized', 'delayed', 'active', 'failed', 'deadLetters']))
      .min(1)
      .default(['waiting', 'prioritized']),
  }),
  /** New dead letters within the window, of `queue` or of all queues. */
  z.object({
    ...base,
    kind: z.literal('dead_letter_growth'),
    queue: z.string().min(1).optional(),
    threshold: z.number().nonnegative(),
  }),
  /**
   * Task records and dead letters the database refused (quarantined by any api or worker) within
   * the window; the default threshold 0 fires on the first.
   */
  z.object({
    ...base,
    kind: z.literal('records_quarantined'),
    threshold: z.number().nonnegative().default(0),
  }),
  /** Milliseconds since the newest heartbeat of any worker of `service` (e.g. "email-worker"). */
  z.object({
    ...base,
    kind: z.literal('missing_heartbeat'),
    service: z.string().min(1),
    threshold: z.number().positive(),
  }),
  /** A predicate registered in code under `predicate`; its returned number is compared. */
  z.object({ ...base, kind: z.literal('custom'), predicate: z.string().min(1), threshold: z.number() }),
]);

export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleKind = AlertRule['kind'];
