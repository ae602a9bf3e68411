/** Every code of the workflows' TaskErrors. */
export type WorkflowErrorCode = 'WORKFLOW_CYCLE' | 'WORKFLOW_INVALID' | 'WORKFLOW_NOT_FOUND';
