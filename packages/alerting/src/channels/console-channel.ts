import { type AlertChannel, type AlertNotification, headline } from './alert-notification.js';

/** Prints a human-readable line to a stream (stderr by default), for a terminal watching the app. */
export class ConsoleChannel implements AlertChannel {
  constructor(
    readonly name = 'console',
    private readonly stream: NodeJS.WritableStream = process.stderr,
  ) {}

  async send(notification: AlertNotification): Promise<void> {
    this.stream.write(
      `${notification.at} ${headline(notification)} (value ${notification.value}, threshold ${notification.threshold})\n`,
    );
  }
}
