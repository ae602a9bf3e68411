import type { Logger } from '@foreman/logger';
import type { AlertChannel, AlertNotification } from './alert-notification.js';

/** Writes each notification as a structured log line (warn while firing, info on resolve). */
export class LogChannel implements AlertChannel {
  constructor(
    private readonly logger: Logger,
    readonly name = 'log',
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    const level =
      notification.kind === 'resolved' ? 'info' : notification.severity === 'critical' ? 'error' : 'warn';
    this.logger[level]({ alert: notification }, `alert ${notification.kind}: ${notification.ruleId}`);
  }
}
