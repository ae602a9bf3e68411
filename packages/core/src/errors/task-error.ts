import type { TaskErrorCode } from './task-error-code.js';

/** Where an error happened, so a log line or an api answer can say which task it was. */
export interface TaskErrorContext {
  taskId?: string | undefined;
  taskName?: string | undefined;
  queue?: string | undefined;
  attempt?: number | undefined;
}

/**
 * Base of every error the task system raises on purpose; `code` is stable for programs to match.
 * A package with codes of its own extends `TaskError<ItsCode>`.
 */
export class TaskError<Code extends string = TaskErrorCode> extends Error {
  readonly code: Code;
  readonly context: TaskErrorContext;

  constructor(code: Code, message: string, context: TaskErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }
}
