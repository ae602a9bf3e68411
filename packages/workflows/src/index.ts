export {
  buildGraph,
  chain,
  chord,
  group,
  parseWorkflowDefinition,
  WorkflowBuilder,
  type WorkflowDefinition,
  type WorkflowNodeSpec,
  workflow,
  workflowDefinitionSchema,
} from './definition.js';
export { WorkflowCycleError } from './errors/workflow-cycle-error.js';
export { WorkflowDefinitionError } from './errors/workflow-definition-error.js';
export type { WorkflowErrorCode } from './errors/workflow-error-code.js';
export { WorkflowNotFoundError } from './errors/workflow-not-found-error.js';
export { shouldRun, toCondition, type When, type WorkflowPredicate } from './graph/conditions.js';
export { isSettled, type NodeStatus } from './graph/node-status.js';
export { expiredNodes, type NodeState, type Plan, parentOutcomes, plan } from './graph/plan.js';
export { TaskGraph } from './graph/task-graph.js';
export { type SubmittedWorkflow, WorkflowClient, type WorkflowClientOptions } from './workflow-client.js';
export { nodeTaskId, WorkflowEngine, type WorkflowEngineOptions } from './workflow-engine.js';
export { WorkflowOrchestrator, type WorkflowOrchestratorOptions } from './workflow-orchestrator.js';
export { WorkflowStore, type WorkflowView } from './workflow-store.js';
