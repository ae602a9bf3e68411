import { ownerSubmitter, type Submitter, type TaskClient, TaskError } from '@foreman/core';
import {
  and,
  asc,
  type Db,
  eq,
  inArray,
  type NewWorkflowNodeRecord,
  tasks,
  type WorkflowNodeRecord,
  workflowNodes,
  workflows,
} from '@foreman/db';
import type { Logger } from '@foreman/logger';
import type { WorkflowPredicate } from './graph/conditions.js';
import { isSettled } from './graph/node-status.js';
import { expiredNodes, type NodeState, parentOutcomes, plan } from './graph/plan.js';
import { TaskGraph } from './graph/task-graph.js';

export interface WorkflowEngineOptions {
  db: Db;
  /** Enqueues node tasks; its registry routes them. */
  client: TaskClient;
  /** Predicates that node conditions may name. */
  predicates?: Record<string, WorkflowPredicate>;
  logger?: Logger | undefined;
}

type NodePatch = Partial<NewWorkflowNodeRecord>;

/** Task id of a node: derived, so enqueueing a node twice (after a crash) queues it once. */
export const nodeTaskId = (workflowId: string, key: string) => `${workflowId}.${key}`;

/**
 * Moves workflows forward from what the database says: folds finished node tasks (from the task
 * records) into node states, fails nodes past their time limit, judges conditions, enqueues the
 * nodes that became ready with their parents' outcomes, and closes the workflow when every node
 * has settled. Each step runs in one transaction holding the workflow's row lock, so any number of
 * processes may advance the same workflow, and a restarted one simply carries on.
 */
export class WorkflowEngine {
  readonly predicates: ReadonlyMap<string, WorkflowPredicate>;

  constructor(private readonly options: WorkflowEngineOptions) {
    this.predicates = new Map(Object.entries(options.predicates ?? {}));
  }

  get client(): TaskClient {
    return this.options.client;
  }

  /** One step of one workflow; returns true when anything changed. */
  async advance(workflowId: string): Promise<boolean> {
    const expired: string[] = [];
    const changed = await this.options.db.transaction(async (tx) => {
      const [workflow] = await tx.select().from(workflows).where(eq(workflows.id, workflowId)).for('update');
      if (workflow?.status !== 'running') return false;
      const nodes = await tx
        .select()
        .from(workflowNodes)
        .where(eq(workflowNodes.workflowId, workflowId))
        .orderBy(asc(workflowNodes.position));
      const active = nodes.filter(
        (node) => node.taskId && (node.status === 'queued' || node.status === 'running'),
      );
      const records = active.length
        ? await tx
            .select()
            .from(tasks)
            .where(
              inArray(
                tasks.id,
                active.map((node) => node.taskId as string),
              ),
            )
        : [];
      const recordOf = new Map(records.map((record) => [record.id, record]));
      const now = new Date();
      const patches = new Map<string, NodePatch>();
      const states = new Map<string, NodeState>(nodes.map((node) => [node.key, stateOf(node)]));
      const apply = (key: string, patch: NodePatch) => {
        patches.set(key, { ...patches.get(key), ...patch });
        const state = states.get(key) as NodeState;
        states.set(key, { ...state, ...stateOf({ ...state, ...patch } as WorkflowNodeRecord) });
      };

      for (const node of active) {
        const record = recordOf.get(node.taskId as string);
        if (!record) continue;
        const timings = {
          startedAt: record.startedAt,
          completedAt: record.completedAt ?? now,
          durationMs: record.durationMs,
        };
        if (record.status === 'completed')
          apply(node.key, { status: 'completed', result: record.result, ...timings });
        else if (record.status === 'failed' || record.status === 'cancelled') {
          apply(node.key, { status: 'failed', error: record.error ?? `task ${record.status}`, ...timings });
        } else if (record.status !== 'pending' && node.status === 'queued') {
          apply(node.key, { status: 'running', startedAt: record.startedAt });
        }
      }
      for (const key of expiredNodes(states, now.getTime())) {
        const node = nodes.find((candidate) => candidate.key === key) as WorkflowNodeRecord;
        apply(key, {
          status: 'failed',
          error: `timed out after ${node.timeoutMs} ms`,
          completedAt: now,
          durationMs: now.getTime() - (node.queuedAt as Date).getTime(),
        });
        if (node.taskId) expired.push(node.taskId);
      }

      const graph = new TaskGraph<null>();
      for (const node of nodes) graph.addNode(node.key, null);
      for (const node of nodes) for (const parent of node.dependsOn) graph.addDependency(node.key, parent);
      const decision = plan(graph, states, this.predicates);
      for (const key of decision.skip) apply(key, { status: 'skipped', completedAt: now });
      for (const { key, error } of decision.fail) apply(key, { status: 'failed', error, completedAt: now });
      const nodeOf = new Map(nodes.map((node) => [node.key, node]));
      // Every node runs with its owner's rights as they are now (TASK_FORBIDDEN fails the node).
      const submitter =
        decision.run.length > 0 ? await ownerSubmitter(this.options.db, workflow.userId) : undefined;
      const ready = decision.run.map((key) => {
        const node = nodeOf.get(key) as WorkflowNodeRecord;
        return {
          key,
          name: node.taskName,
          payload: node.payload,
          options: {
            taskId: nodeTaskId(workflowId, key),
            userId: workflow.userId ?? undefined,
            submitter: submitter as Submitter,
            workflow: { workflowId, nodeKey: key, parents: parentOutcomes(graph, key, states) },
          },
        };
      });
      const queued = (item: (typeof ready)[number]) =>
        apply(item.key, { status: 'queued', taskId: item.options.taskId, queuedAt: now });
      try {
        // One bulk for every ready node (a wide workflow's roots are hundreds of tasks).
        if (ready.length > 0) await this.options.client.submitBulk(ready);
        for (const item of ready) queued(item);
      } catch (error) {
        if (!(error instanceof TaskError)) throw error;
        // The bulk enqueued nothing: one by one, so only the nodes that cannot be enqueued as
        // defined (their task is gone) fail. Redis errors retry.
        for (const item of ready) {
          try {
            await this.options.client.submit(item.name, item.payload, item.options);
            queued(item);
          } catch (nodeError) {
            if (!(nodeError instanceof TaskError)) throw nodeError;
            apply(item.key, { status: 'failed', error: nodeError.message, completedAt: now });
          }
        }
      }

      for (const [key, patch] of patches) {
        await tx
          .update(workflowNodes)
          .set(patch)
          .where(and(eq(workflowNodes.workflowId, workflowId), eq(workflowNodes.key, key)));
      }
      const statuses = [...states.values()].map((state) => state.status);
      if (statuses.every(isSettled)) {
        const failed = [...states].filter(([, state]) => state.status === 'failed').map(([key]) => key);
        await tx
          .update(workflows)
          .set({
            status: failed.length > 0 ? 'failed' : 'completed',
            error: failed.length > 0 ? `failed nodes: ${failed.join(', ')}` : null,
            completedAt: now,
            durationMs: now.getTime() - workflow.createdAt.getTime(),
            updatedAt: now,
          })
          .where(eq(workflows.id, workflowId));
        this.options.logger?.info({ workflowId, failed }, 'workflow finished');
      } else if (patches.size > 0) {
        await tx.update(workflows).set({ updatedAt: now }).where(eq(workflows.id, workflowId));
      }
      return patches.size > 0;
    });
    // Outside the transaction: a node past its limit gives its slot back if it still holds one.
    for (const taskId of expired) await this.cancelQuietly(taskId);
    return changed;
  }

  /** Cancels a running workflow: waiting nodes are skipped, queued and running ones cancelled. */
  async cancel(workflowId: string): Promise<boolean> {
    const cancelled: string[] = [];
    const done = await this.options.db.transaction(async (tx) => {
      const [workflow] = await tx.select().from(workflows).where(eq(workflows.id, workflowId)).for('update');
      if (workflow?.status !== 'running') return false;
      const now = new Date();
      const nodes = await tx.select().from(workflowNodes).where(eq(workflowNodes.workflowId, workflowId));
      for (const node of nodes) {
        if (isSettled(node.status)) continue;
        const patch: NodePatch =
          node.status === 'waiting'
            ? { status: 'skipped', completedAt: now }
            : { status: 'failed', error: 'workflow cancelled', completedAt: now };
        if (node.taskId && node.status !== 'waiting') cancelled.push(node.taskId);
        await tx
          .update(workflowNodes)
          .set(patch)
          .where(and(eq(workflowNodes.workflowId, workflowId), eq(workflowNodes.key, node.key)));
      }
      await tx
        .update(workflows)
        .set({
          status: 'cancelled',
          completedAt: now,
          durationMs: now.getTime() - workflow.createdAt.getTime(),
          updatedAt: now,
        })
        .where(eq(workflows.id, workflowId));
      return true;
    });
    for (const taskId of cancelled) await this.cancelQuietly(taskId);
    return done;
  }

  private async cancelQuietly(taskId: string): Promise<void> {
    try {
      await this.options.client.cancel(taskId);
    } catch (error) {
      this.options.logger?.debug({ err: error, taskId }, 'node task not cancelled (already finished)');
    }
  }
}

function stateOf(
  node: Pick<WorkflowNodeRecord, 'status' | 'condition' | 'result' | 'error' | 'timeoutMs' | 'queuedAt'>,
): NodeState {
  return {
    status: node.status,
    condition: node.condition,
    result: node.result,
    error: node.error,
    timeoutMs: node.timeoutMs,
    queuedAt: node.queuedAt,
  };
}
