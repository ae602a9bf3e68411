import { TaskError } from '@foreman/core';

export class WorkflowNotFoundError extends TaskError {
  constructor(readonly workflowId: string) {
    super('WORKFLOW_NOT_FOUND', `No workflow with id "${workflowId}"`);
  }
}
