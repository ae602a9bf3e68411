import { alertRuleSchema } from '@foreman/alerting';
import { ALERT_STATUSES } from '@foreman/db';
import { z } from '@hono/zod-openapi';

export { alertRuleSchema };

export const alertListQuery = z.object({
  status: z.enum(ALERT_STATUSES).optional(),
  ruleId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

/** Empty: the acknowledging user is the key's, never a name from the body. */
export const ackBody = z.object({}).strict().openapi('AlertAcknowledgement');

export const alertSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    severity: z.enum(['warning', 'critical']),
    status: z.enum(ALERT_STATUSES),
    message: z.string(),
    value: z.number(),
    threshold: z.number(),
    firedAt: z.string(),
    lastEvaluatedAt: z.string(),
    lastNotifiedAt: z.string().nullable(),
    notifications: z.array(z.unknown()),
    acknowledgedAt: z.string().nullable(),
    acknowledgedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
  })
  .passthrough()
  .openapi('Alert');

export const storedRuleSchema = z
  .object({ rule: alertRuleSchema, source: z.enum(['file', 'api']) })
  .openapi('StoredAlertRule');
