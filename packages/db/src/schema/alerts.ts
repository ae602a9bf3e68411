import { sql } from 'drizzle-orm';
import { boolean, check, doublePrecision, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const ALERT_STATUSES = ['firing', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** Alert rules managed through the api; rules from a file live in the file and are not copied here. */
export const alertRules = pgTable('alert_rules', {
  id: text('id').primaryKey(),
  /** The validated rule as the alerting package defines it. */
  definition: jsonb('definition').$type<unknown>().notNull(),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** One row per alert: opened when a rule starts firing, closed when it resolves. The history. */
export const alerts = pgTable(
  'alerts',
  {
    id: text('id').primaryKey(),
    ruleId: text('rule_id').notNull(),
    severity: text('severity').$type<'warning' | 'critical'>().notNull(),
    status: text('status').$type<AlertStatus>().notNull(),
    message: text('message').notNull(),
    /** The measured value that crossed the threshold, at the latest evaluation. */
    value: doublePrecision('value').notNull(),
    threshold: doublePrecision('threshold').notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastEvaluatedAt: timestamp('last_evaluated_at', { withTimezone: true, mode: 'date' }).notNull(),
    lastNotifiedAt: timestamp('last_notified_at', { withTimezone: true, mode: 'date' }),
    notifications: jsonb('notifications').$type<unknown[]>().notNull().default([]),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true, mode: 'date' }),
    acknowledgedBy: text('acknowledged_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true, mode: 'date' }),
  },
  (table) => [
    index('alerts_rule_status_idx').on(table.ruleId, table.status),
    index('alerts_fired_at_idx').on(table.firedAt),
    check('alerts_status_check', sql`${table.status} in ('firing', 'acknowledged', 'resolved')`),
    check('alerts_severity_check', sql`${table.severity} in ('warning', 'critical')`),
  ],
);

export type AlertRecord = typeof alerts.$inferSelect;
export type AlertRuleRecord = typeof alertRules.$inferSelect;
