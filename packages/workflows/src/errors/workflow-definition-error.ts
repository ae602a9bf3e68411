import { TaskError } from '@foreman/core';
import type { WorkflowErrorCode } from './workflow-error-code.js';

/** A workflow that cannot run as written: duplicate or bad keys, unknown dependencies or predicates. */
export class WorkflowDefinitionError extends TaskError<WorkflowErrorCode> {
  constructor(message: string) {
    super('WORKFLOW_INVALID', message);
  }
}
