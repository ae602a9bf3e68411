/** Base of the alerting package's errors; `code` is stable for api answers. */
export class AlertingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
