/** What every channel delivers about one alert. */
export interface AlertNotification {
  alertId: string;
  ruleId: string;
  severity: 'warning' | 'critical';
  /** firing: new alert; reminder: still firing after the cooldown; resolved: back to normal. */
  kind: 'firing' | 'reminder' | 'resolved';
  message: string;
  value: number;
  threshold: number;
  firedAt: string;
  at: string;
}

/** A place alerts go. `send` rejects when delivery failed; the manager records the outcome. */
export interface AlertChannel {
  readonly name: string;
  send(notification: AlertNotification): Promise<void>;
}

/** One line that reads well in a log, a terminal, a subject or a chat message. */
export function headline(notification: AlertNotification): string {
  const state = notification.kind === 'resolved' ? 'RESOLVED' : notification.severity.toUpperCase();
  return `[${state}] ${notification.ruleId}: ${notification.message}`;
}
