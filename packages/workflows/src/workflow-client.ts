import { randomUUID } from 'node:crypto';
import { type Submitter, SYSTEM_SUBMITTER, validatePayload } from '@foreman/core';
import type { Db, NewWorkflowNodeRecord, WorkflowRecord, WorkflowStatus } from '@foreman/db';
import type { Logger } from '@foreman/logger';
import { buildGraph, type WorkflowDefinition } from './definition.js';
import { WorkflowDefinitionError } from './errors/workflow-definition-error.js';
import { WorkflowNotFoundError } from './errors/workflow-not-found-error.js';
import { toCondition } from './graph/conditions.js';
import type { WorkflowEngine } from './workflow-engine.js';
import { WorkflowStore, type WorkflowView } from './workflow-store.js';

export interface WorkflowClientOptions {
  db: Db;
  engine: WorkflowEngine;
  logger?: Logger | undefined;
}

export interface SubmittedWorkflow {
  workflowId: string;
  name: string;
  status: WorkflowStatus;
}

/** Submits workflows as one unit and reads them back. */
export class WorkflowClient {
  private readonly store: WorkflowStore;

  constructor(private readonly options: WorkflowClientOptions) {
    this.store = new WorkflowStore(options.db);
  }

  /**
   * Checks the whole definition (graph, tasks, payloads, predicates, and that `submitter` may run
   * every node: TASK_FORBIDDEN) before writing anything,
   * stores the workflow and its nodes in one transaction, then enqueues the root nodes. Should
   * that last step fail, any orchestrator picks the workflow up from the database.
   */
  async submit(
    definition: WorkflowDefinition,
    {
      userId,
      submitter = SYSTEM_SUBMITTER,
    }:
      | { userId: string | undefined; submitter: Submitter }
      | { userId?: undefined; submitter?: Submitter } = {},
  ): Promise<SubmittedWorkflow> {
    const graph = buildGraph(definition);
    const registry = this.options.engine.client.registry;
    const workflowId = randomUUID();
    const nodes: NewWorkflowNodeRecord[] = graph.topologicalOrder().map((key, position) => {
      const spec = graph.get(key);
      const contract = registry.get(typeof spec.task === 'string' ? spec.task : spec.task.name);
      const condition = toCondition(spec.when);
      if (condition.kind === 'predicate' && !this.options.engine.predicates.has(condition.predicate)) {
        throw new WorkflowDefinitionError(
          `Node "${key}" names an unknown predicate "${condition.predicate}"`,
        );
      }
      return {
        workflowId,
        key,
        position,
        taskName: contract.name,
        queue: contract.queue,
        payload: validatePayload(contract, spec.payload ?? {}),
        dependsOn: graph.parents(key),
        condition,
        timeoutMs: spec.timeoutMs ?? null,
        status: 'waiting',
      };
    });
    for (const node of nodes) {
      await this.options.engine.client.authorize(node.taskName, node.payload, submitter, userId);
    }
    await this.store.insert(
      {
        id: workflowId,
        name: definition.name,
        userId: userId ?? null,
        status: 'running',
        createdAt: new Date(),
      },
      nodes,
    );
    try {
      await this.options.engine.advance(workflowId);
    } catch (error) {
      this.options.logger?.warn(
        { err: error, workflowId },
        'root nodes not enqueued yet; the orchestrator will',
      );
    }
    return { workflowId, name: definition.name, status: 'running' };
  }

  /** The workflow with the status, timings, result or error of every node. */
  async status(workflowId: string): Promise<WorkflowView> {
    const workflow = await this.store.get(workflowId);
    if (!workflow) throw new WorkflowNotFoundError(workflowId);
    return workflow;
  }

  list(filter: { status?: WorkflowStatus; limit?: number } = {}): Promise<WorkflowRecord[]> {
    return this.store.list(filter);
  }

  /** Stops a running workflow; false when it had already finished. */
  async cancel(workflowId: string): Promise<boolean> {
    await this.status(workflowId);
    return this.options.engine.cancel(workflowId);
  }
}
