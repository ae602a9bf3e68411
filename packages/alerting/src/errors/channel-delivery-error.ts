import { AlertingError } from './alerting-error.js';

/** A channel could not deliver a notification (receiver refused, unreachable, timed out). */
export class ChannelDeliveryError extends AlertingError {
  constructor(channel: string, reason: string) {
    super('CHANNEL_DELIVERY_FAILED', `Channel "${channel}" could not deliver: ${reason}`);
  }
}
