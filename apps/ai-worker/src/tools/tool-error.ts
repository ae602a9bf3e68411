export type ToolErrorCode = 'INVALID_ARGUMENTS' | 'UNKNOWN_TOOL' | 'REFUSED' | 'FAILED';

/**
 * A tool call that cannot be done as asked. It goes back to the model as the tool's answer (so it
 * can correct itself) instead of failing the task.
 */
export class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
    readonly tool: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ToolError';
  }

  /** The tool message the model reads. */
  toJSON() {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}
