export type TaskStreamErrorCode =
  /** The api refused the stream or the read (an expired or foreign token: 401, 403; 404). */
  | 'STREAM_REFUSED'
  /** The connection dropped; the stream reconnects on its own and resumes after the last event. */
  | 'STREAM_INTERRUPTED';

/** Why a live view of a task has no (or no current) data. */
export class TaskStreamError extends Error {
  constructor(
    readonly code: TaskStreamErrorCode,
    message: string,
    /** The api's HTTP status, when it answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'TaskStreamError';
  }
}
