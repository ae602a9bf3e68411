import { type AlertChannel, type AlertNotification, headline } from './alert-notification.js';
import { postJson } from './post-json.js';

/** Posts to a Slack incoming webhook (`{ text }`, which Slack renders as a message). */
export class SlackChannel implements AlertChannel {
  constructor(
    readonly name: string,
    private readonly webhookUrl: string,
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    const icon =
      notification.kind === 'resolved'
        ? ':white_check_mark:'
        : notification.severity === 'critical'
          ? ':rotating_light:'
          : ':warning:';
    const text = `${icon} ${headline(notification)}\nvalue ${notification.value}, threshold ${notification.threshold}`;
    await postJson(this.name, this.webhookUrl, JSON.stringify({ text }));
  }
}
