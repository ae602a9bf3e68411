import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from '@foreman/net';
import type { AlertChannel, AlertNotification } from './alert-notification.js';
import { postJson } from './post-json.js';

/** POSTs the notification as JSON, signed with HMAC-SHA256 so the receiver can verify it. */
export class WebhookChannel implements AlertChannel {
  constructor(
    readonly name: string,
    private readonly url: string,
    private readonly secret: string,
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    const body = JSON.stringify(notification);
    const timestamp = String(Date.now());
    await postJson(this.name, this.url, body, {
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: signWebhook(this.secret, timestamp, body),
    });
  }
}
