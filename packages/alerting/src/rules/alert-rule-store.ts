import { type AlertRuleRecord, alertRules, type Db, eq } from '@foreman/db';
import { AlertNotFoundError } from '../errors/alert-not-found-error.js';
import { AlertingError } from '../errors/alerting-error.js';
import { ChannelUnknownError } from '../errors/channel-unknown-error.js';
import { type AlertRule, alertRuleSchema } from './alert-rule.js';
import { parseOrThrow } from './parse-rule.js';

export interface StoredRule {
  rule: AlertRule;
  /** file: from the rules file, read-only; api: managed through the api, kept in PostgreSQL. */
  source: 'file' | 'api';
}

/** The rules in force: those of the rules file plus those managed through the api. */
export class AlertRuleStore {
  constructor(
    private readonly db: Db,
    private readonly fileRules: AlertRule[],
    private readonly channels: ReadonlySet<string>,
  ) {
    for (const rule of fileRules) this.checkChannels(rule);
  }

  async list(): Promise<StoredRule[]> {
    const rows = await this.db.select().from(alertRules).orderBy(alertRules.id);
    return [
      ...this.fileRules.map((rule) => ({ rule, source: 'file' as const })),
      ...rows.map((row) => ({ rule: toRule(row), source: 'api' as const })),
    ];
  }

  async get(id: string): Promise<StoredRule> {
    const found = (await this.list()).find((stored) => stored.rule.id === id);
    if (!found) throw new AlertNotFoundError('rule', id);
    return found;
  }

  async create(input: unknown): Promise<AlertRule> {
    const rule = this.parse(input);
    if (this.fileRules.some((fileRule) => fileRule.id === rule.id)) throw exists(rule.id);
    const inserted = await this.db
      .insert(alertRules)
      .values({ id: rule.id, definition: rule, enabled: rule.enabled })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw exists(rule.id);
    return rule;
  }

  /** Replaces an api-managed rule; the id in the path wins over one in the body. */
  async update(id: string, input: unknown): Promise<AlertRule> {
    const rule = this.parse({ ...(input as object), id });
    this.refuseFileRule(id);
    const updated = await this.db
      .update(alertRules)
      .set({ definition: rule, enabled: rule.enabled, updatedAt: new Date() })
      .where(eq(alertRules.id, id))
      .returning();
    if (updated.length === 0) throw new AlertNotFoundError('rule', id);
    return rule;
  }

  async remove(id: string): Promise<void> {
    this.refuseFileRule(id);
    const removed = await this.db.delete(alertRules).where(eq(alertRules.id, id)).returning();
    if (removed.length === 0) throw new AlertNotFoundError('rule', id);
  }

  private parse(input: unknown): AlertRule {
    const rule = parseOrThrow(alertRuleSchema, input, 'alert rule');
    this.checkChannels(rule);
    return rule;
  }

  private checkChannels(rule: AlertRule): void {
    for (const channel of rule.channels) {
      if (!this.channels.has(channel)) throw new ChannelUnknownError(rule.id, channel);
    }
  }

  private refuseFileRule(id: string): void {
    if (this.fileRules.some((rule) => rule.id === id)) {
      throw new AlertingError(
        'ALERT_RULE_READ_ONLY',
        `Rule "${id}" comes from the rules file; change it there`,
      );
    }
  }
}

const exists = (id: string) => new AlertingError('ALERT_RULE_EXISTS', `A rule "${id}" already exists`);

function toRule(row: AlertRuleRecord): AlertRule {
  return { ...alertRuleSchema.parse(row.definition), enabled: row.enabled };
}
