/** Where an error happened, so a log line or an api answer can say which task it was. */
export interface TaskErrorContext {
  taskId?: string | undefined;
  taskName?: string | undefined;
  queue?: string | undefined;
  attempt?: number | undefined;
}

/** Base of every error the task system raises on purpose; `code` is stable for programs to match. */
export class TaskError extends Error {
  readonly code: string;
  readonly context: TaskErrorContext;

  constructor(code: string, message: string, context: TaskErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}
