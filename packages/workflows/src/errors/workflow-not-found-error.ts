import { TaskError } from '@foreman/core';
import type { WorkflowErrorCode } from './workflow-error-code.js';

export class WorkflowNotFoundError extends TaskError<WorkflowErrorCode> {
  constructor(readonly workflowId: string) {
    super('WORKFLOW_NOT_FOUND', `No workflow with id "${workflowId}"`);
  }
}
