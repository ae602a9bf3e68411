import { AlertingError } from './alerting-error.js';

export class ChannelUnknownError extends AlertingError {
  constructor(ruleId: string, channel: string) {
    super('ALERT_CHANNEL_UNKNOWN', `Rule "${ruleId}" names channel "${channel}", which is not configured`);
  }
}
