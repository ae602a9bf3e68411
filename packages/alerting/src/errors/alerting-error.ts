/** Every code of the alerting package's errors. */
export type AlertingErrorCode =
  | 'ALERT_CHANNEL_UNKNOWN'
  | 'ALERT_NOT_FOUND'
  | 'ALERT_RULE_EXISTS'
  | 'ALERT_RULE_INVALID'
  | 'ALERT_RULE_NOT_FOUND'
  | 'ALERT_RULE_READ_ONLY'
  | 'ALERT_STATE_INVALID'
  | 'CHANNEL_DELIVERY_FAILED';

/** Base of the alerting package's errors; `code` is stable for api answers. */
export class AlertingError extends Error {
  constructor(
    readonly code: AlertingErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
