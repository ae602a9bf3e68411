import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '@foreman/core';
import { type AlertRecord, type AlertStatus, alerts, and, type Db, desc, eq, inArray } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { AlertChannel, AlertNotification } from './channels/alert-notification.js';
import { AlertNotFoundError } from './errors/alert-not-found-error.js';
import { AlertStateError } from './errors/alert-state-error.js';
import { AlertInputs } from './evaluate/alert-inputs.js';
import { type AlertPredicate, evaluateRule, type RuleEvaluation } from './evaluate/evaluate-rule.js';
import { type AlertRule, renderMessage } from './rules/alert-rule.js';
import { AlertRuleStore } from './rules/alert-rule-store.js';

export interface AlertManagerOptions {
  db: Db;
  redis: RedisConnection;
  /** Queue prefix: where queues and heartbeats live in Redis. */
  prefix: string;
  logger: Logger;
  channels: Map<string, AlertChannel>;
  /** Rules of the rules file (read-only); more can be added through the api. */
  fileRules?: AlertRule[];
  /** Custom predicates that `custom` rules name. */
  predicates?: Record<string, AlertPredicate>;
  now?: () => number;
}

export interface ChannelOutcome {
  channel: string;
  ok: boolean;
  error?: string;
}

export interface NotificationRecord {
  at: string;
  kind: AlertNotification['kind'];
  channels: ChannelOutcome[];
}

export interface RuleReport extends Partial<RuleEvaluation> {
  ruleId: string;
  /** What evaluation did: opened, reminded, suppressed (cooldown), updated, resolved, ok, error. */
  action: 'opened' | 'suppressed' | 'reminded' | 'updated' | 'resolved' | 'ok' | 'error';
  alertId?: string;
  error?: string;
}

const OPEN: AlertStatus[] = ['firing', 'acknowledged'];

/**
 * Evaluates the rules and keeps the alert history: opens an alert when a rule starts firing,
 * reminds after the cooldown while it keeps firing unacknowledged, resolves it when the condition
 * clears. Notifications of one rule are at least `cooldownMs` apart, so a flapping condition
 * does not flood the channels. Runs on one process at a time (see AlertScheduler).
 */
export class AlertManager {
  readonly rules: AlertRuleStore;
  private readonly now: () => number;

  constructor(private readonly options: AlertManagerOptions) {
    this.rules = new AlertRuleStore(options.db, options.fileRules ?? [], new Set(options.channels.keys()));
    this.now = options.now ?? Date.now;
  }

  async evaluate(): Promise<RuleReport[]> {
    const inputs = new AlertInputs({
      db: this.options.db,
      redis: this.options.redis,
      prefix: this.options.prefix,
    });
    const reports: RuleReport[] = [];
    for (const { rule } of await this.rules.list()) {
      if (!rule.enabled) continue;
      try {
        const evaluation = await evaluateRule(rule, inputs, this.options.predicates ?? {});
        reports.push({ ...evaluation, ...(await this.apply(rule, evaluation)) });
      } catch (error) {
        this.options.logger.error({ err: error, ruleId: rule.id }, 'alert rule evaluation failed');
        reports.push({ ruleId: rule.id, action: 'error', error: (error as Error).message });
      }
    }
    return reports;
  }

  list(query: { status?: AlertStatus; ruleId?: string; limit?: number } = {}): Promise<AlertRecord[]> {
    const conditions = [];
    if (query.status) conditions.push(eq(alerts.status, query.status));
    if (query.ruleId) conditions.push(eq(alerts.ruleId, query.ruleId));
    return this.options.db
      .select()
      .from(alerts)
      .where(and(...conditions))
      .orderBy(desc(alerts.firedAt))
      .limit(Math.min(Math.max(1, query.limit ?? 100), 1_000));
  }

  async get(id: string): Promise<AlertRecord> {
    const [row] = await this.options.db.select().from(alerts).where(eq(alerts.id, id));
    if (!row) throw new AlertNotFoundError('alert', id);
    return row;
  }

  /** Silences a firing alert's reminders until it resolves. Acknowledging twice is harmless. */
  async acknowledge(id: string, by: string): Promise<AlertRecord> {
    const [updated] = await this.options.db
      .update(alerts)
      .set({ status: 'acknowledged', acknowledgedAt: new Date(this.now()), acknowledgedBy: by })
      .where(and(eq(alerts.id, id), eq(alerts.status, 'firing')))
      .returning();
    if (updated) return updated;
    const current = await this.get(id);
    if (current.status === 'resolved') throw new AlertStateError(id, 'acknowledge', current.status);
    return current;
  }

  /** Closes an alert by hand; if the condition still holds, the next evaluation opens a new one. */
  async resolve(id: string): Promise<AlertRecord> {
    const [updated] = await this.options.db
      .update(alerts)
      .set({ status: 'resolved', resolvedAt: new Date(this.now()) })
      .where(and(eq(alerts.id, id), inArray(alerts.status, OPEN)))
      .returning();
    if (updated) return updated;
    const current = await this.get(id);
    throw new AlertStateError(id, 'resolve', current.status);
  }

  private async apply(rule: AlertRule, evaluation: RuleEvaluation): Promise<RuleReport> {
    const { db } = this.options;
    const now = new Date(this.now());
    const history = await db
      .select()
      .from(alerts)
      .where(eq(alerts.ruleId, rule.id))
      .orderBy(desc(alerts.firedAt))
      .limit(20);
    const open = history.find((alert) => OPEN.includes(alert.status));
    const lastNotified = Math.max(0, ...history.map((alert) => alert.lastNotifiedAt?.getTime() ?? 0));
    const cooled = now.getTime() - lastNotified >= rule.cooldownMs;
    const message = rule.message
      ? renderMessage({ ...rule, message: rule.message }, evaluation.value)
      : evaluation.message;
    const fields = { value: evaluation.value, message, lastEvaluatedAt: now };

    if (!evaluation.firing) {
      if (!open) return { ruleId: rule.id, action: 'ok' };
      const [resolved] = await db
        .update(alerts)
        .set({ ...fields, status: 'resolved', resolvedAt: now })
        .where(eq(alerts.id, open.id))
        .returning();
      // Only an alert someone was told about needs its all-clear.
      if (open.lastNotifiedAt) await this.notify(rule, resolved as AlertRecord, 'resolved', now);
      return { ruleId: rule.id, action: 'resolved', alertId: open.id };
    }

    if (!open) {
      const [opened] = await db
        .insert(alerts)
        .values({
          id: randomUUID(),
          ruleId: rule.id,
          severity: rule.severity,
          status: 'firing',
          threshold: rule.threshold,
          firedAt: now,
          ...fields,
        })
        .returning();
      const alert = opened as AlertRecord;
      if (!cooled) return { ruleId: rule.id, action: 'suppressed', alertId: alert.id };
      await this.notify(rule, alert, 'firing', now);
      return { ruleId: rule.id, action: 'opened', alertId: alert.id };
    }

    const [updated] = await db.update(alerts).set(fields).where(eq(alerts.id, open.id)).returning();
    if (open.status !== 'firing' || !cooled) return { ruleId: rule.id, action: 'updated', alertId: open.id };
    await this.notify(rule, updated as AlertRecord, open.lastNotifiedAt ? 'reminder' : 'firing', now);
    return { ruleId: rule.id, action: 'reminded', alertId: open.id };
  }

  private async notify(rule: AlertRule, alert: AlertRecord, kind: AlertNotification['kind'], now: Date) {
    const notification: AlertNotification = {
      alertId: alert.id,
      ruleId: rule.id,
      severity: rule.severity,
      kind,
      message: alert.message,
      value: alert.value,
      threshold: alert.threshold,
      firedAt: alert.firedAt.toISOString(),
      at: now.toISOString(),
    };
    const outcomes = await Promise.all(
      rule.channels.map(async (name): Promise<ChannelOutcome> => {
        const channel = this.options.channels.get(name);
        if (!channel) return { channel: name, ok: false, error: 'channel not configured' };
        try {
          await channel.send(notification);
          return { channel: name, ok: true };
        } catch (error) {
          this.options.logger.warn(
            { err: error, channel: name, alertId: alert.id },
            'alert notification failed',
          );
          return { channel: name, ok: false, error: (error as Error).message };
        }
      }),
    );
    const record: NotificationRecord = { at: notification.at, kind, channels: outcomes };
    await this.options.db
      .update(alerts)
      .set({ lastNotifiedAt: now, notifications: [...(alert.notifications ?? []), record] })
      .where(eq(alerts.id, alert.id));
  }
}
