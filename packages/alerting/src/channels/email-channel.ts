import { createSmtpTransport, type SmtpTransport } from '@foreman/mail';
import { ChannelDeliveryError } from '../errors/channel-delivery-error.js';
import { type AlertChannel, type AlertNotification, headline } from './alert-notification.js';

export interface EmailChannelOptions {
  name: string;
  smtpUrl: string;
  from: string;
  to: string[];
}

/** Mails each notification over SMTP (traced: an `smtp send` span per notification). */
export class EmailChannel implements AlertChannel {
  readonly name: string;
  private readonly transport: SmtpTransport;

  constructor(private readonly options: EmailChannelOptions) {
    this.name = options.name;
    this.transport = createSmtpTransport(options.smtpUrl);
  }

  async send(notification: AlertNotification): Promise<void> {
    const info = await this.transport
      .sendMail({
        from: this.options.from,
        to: this.options.to,
        subject: `Foreman ${headline(notification)}`,
        text: [
          headline(notification),
          '',
          `value: ${notification.value} (threshold ${notification.threshold})`,
          `severity: ${notification.severity}`,
          `fired at: ${notification.firedAt}`,
          `alert id: ${notification.alertId}`,
        ].join('\n'),
      })
      .catch((error: Error) => {
        throw new ChannelDeliveryError(this.name, error.message);
      });
    if (info.rejected.length > 0) {
      throw new ChannelDeliveryError(this.name, `rejected recipients ${info.rejected.join(', ')}`);
    }
  }

  close(): void {
    this.transport.close();
  }
}
