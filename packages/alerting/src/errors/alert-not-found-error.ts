import { AlertingError } from './alerting-error.js';

export class AlertNotFoundError extends AlertingError {
  constructor(what: 'alert' | 'rule', id: string) {
    super(what === 'alert' ? 'ALERT_NOT_FOUND' : 'ALERT_RULE_NOT_FOUND', `No ${what} "${id}"`);
  }
}
