import { TaskError } from './task-error.js';

/** A submit's webhook URL is not one this deployment calls: bad scheme, host off the allow-list, or a private address. */
export class WebhookUrlRefusedError extends TaskError {
  constructor(
    readonly url: string,
    reason: string,
    context: { taskName?: string | undefined } = {},
  ) {
    super('WEBHOOK_URL_REFUSED', `webhook URL ${url} is refused: ${reason}`, context);
  }
}
