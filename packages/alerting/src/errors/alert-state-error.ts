import { AlertingError } from './alerting-error.js';

/** An action that the alert's current status does not allow, e.g. acknowledging a resolved alert. */
export class AlertStateError extends AlertingError {
  constructor(id: string, action: string, status: string) {
    super('ALERT_STATE_INVALID', `Cannot ${action} alert "${id}": it is ${status}`);
  }
}
