import { AlertingError } from './alerting-error.js';

/** A rule or rules file that does not match the schema; `details` lists each problem by path. */
export class AlertRuleInvalidError extends AlertingError {
  constructor(message: string, issues: Array<{ path: string; message: string }>) {
    super('ALERT_RULE_INVALID', message, issues);
  }
}
