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
  /**
   * Text of the alert and its notifications instead of the built-in one, with placeholders such
   * as `{{rule}} {{value}} {{threshold}} {{queue}}` (see MESSAGE_PLACEHOLDERS; each must exist for
   * the rule's kind).
   */
  message: z.string().min(1).max(1_000).optional(),
};

/** Placeholders every rule's message may use. */
const COMMON_PLACEHOLDERS = ['rule', 'severity', 'kind', 'value', 'threshold', 'windowMs'] as const;
/** Placeholders of the fields each kind has, besides the common ones. */
export const MESSAGE_PLACEHOLDERS = {
  failure_rate: [...COMMON_PLACEHOLDERS, 'task', 'minTasks'],
  p95_duration: [...COMMON_PLACEHOLDERS, 'task'],
  queue_depth: [...COMMON_PLACEHOLDERS, 'queue', 'states'],
  dead_letter_growth: [...COMMON_PLACEHOLDERS, 'queue'],
  records_quarantined: COMMON_PLACEHOLDERS,
  missing_heartbeat: [...COMMON_PLACEHOLDERS, 'service'],
  custom: [...COMMON_PLACEHOLDERS, 'predicate'],
} as const;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * An alert rule: fires while the measured value is above `threshold`. What is measured, and in
 * which unit, depends on `kind` (see docs/observability.md).
 */
const kinds = z.discriminatedUnion('kind', [
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

export const alertRuleSchema = kinds.superRefine((rule, context) => {
  if (rule.message === undefined) return;
  const known: readonly string[] = MESSAGE_PLACEHOLDERS[rule.kind];
  for (const [, name] of rule.message.matchAll(PLACEHOLDER)) {
    if (!known.includes(name ?? ''))
      context.addIssue({
        code: 'custom',
        path: ['message'],
        message: `unknown placeholder {{${name}}} for a ${rule.kind} rule; use ${known.map((one) => `{{${one}}}`).join(' ')}`,
      });
  }
});

export type AlertRuleInput = z.input<typeof alertRuleSchema>;
export type AlertRule = z.output<typeof alertRuleSchema>;
export type AlertRuleKind = AlertRule['kind'];

/** The rule's message with its placeholders filled in (validated at parse: every name is known). */
export function renderMessage(rule: AlertRule & { message: string }, value: number): string {
  const fields: Record<string, unknown> = { ...rule, rule: rule.id, value };
  return rule.message.replace(PLACEHOLDER, (_, name: string) => {
    const field = fields[name];
    return Array.isArray(field) ? field.join(', ') : String(field ?? '');
  });
}
