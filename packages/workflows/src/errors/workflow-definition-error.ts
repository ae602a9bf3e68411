import { TaskError } from '@foreman/core';

/** A workflow that cannot run as written: duplicate or bad keys, unknown dependencies or predicates. */
export class WorkflowDefinitionError extends TaskError {
  constructor(message: string) {
    super('WORKFLOW_INVALID', message);
  }
}
