import { TaskError } from '@foreman/core';
import type { WorkflowErrorCode } from './workflow-error-code.js';

export class WorkflowCycleError extends TaskError<WorkflowErrorCode> {
  /** The nodes of the cycle in order, the first repeated at the end: ["a", "b", "a"]. */
  readonly cycle: string[];

  constructor(cycle: string[]) {
    super('WORKFLOW_CYCLE', `Workflow has a dependency cycle: ${cycle.join(' -> ')}`);
    this.cycle = cycle;
  }
}
