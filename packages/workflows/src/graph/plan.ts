import type { ParentOutcome } from '@foreman/core';
import type { WorkflowCondition } from '@foreman/db';
import { shouldRun, type WorkflowPredicate } from './conditions.js';
import type { NodeStatus } from './node-status.js';
import type { TaskGraph } from './task-graph.js';

/** What the planner needs to know about one node. */
export interface NodeState {
  status: NodeStatus;
  condition: WorkflowCondition;
  result?: unknown;
  error?: string | null | undefined;
  timeoutMs?: number | null | undefined;
  queuedAt?: Date | null | undefined;
}

export interface Plan {
  /** Nodes to enqueue now, in topological order. */
  run: string[];
  /** Nodes whose condition is false, or whose parents were skipped under `success`. */
  skip: string[];
  /** Nodes whose condition could not be judged (a predicate threw or is unknown). */
  fail: Array<{ key: string; error: string }>;
}

/** The outcomes of a node's parents, by parent key, as handed to predicates and to the task. */
export function parentOutcomes(
  graph: TaskGraph<unknown>,
  key: string,
  states: ReadonlyMap<string, NodeState>,
): Record<string, ParentOutcome> {
  const outcomes: Record<string, ParentOutcome> = {};
  for (const parent of graph.parents(key)) {
    const state = states.get(parent) as NodeState;
    outcomes[parent] = {
      status: state.status as ParentOutcome['status'],
      ...(state.status === 'completed' ? { result: state.result } : {}),
      ...(state.error ? { error: state.error } : {}),
    };
  }
  return outcomes;
}

/**
 * One step of a workflow: every waiting node whose parents have settled is judged by its
 * condition. Nodes are visited parents first, so a skip propagates to its descendants in the
 * same step. Pure: the caller persists the decisions and enqueues `run`.
 */
export function plan(
  graph: TaskGraph<unknown>,
  states: ReadonlyMap<string, NodeState>,
  predicates: ReadonlyMap<string, WorkflowPredicate>,
): Plan {
  const decided = new Map(states);
  const result: Plan = { run: [], skip: [], fail: [] };
  const status = (key: string) => (decided.get(key) as NodeState).status;
  for (const key of graph.topologicalOrder()) {
    const state = decided.get(key) as NodeState;
    if (state.status !== 'waiting' || !graph.dependenciesMet(key, status)) continue;
    try {
      if (shouldRun(state.condition, parentOutcomes(graph, key, decided), predicates)) {
        result.run.push(key);
        decided.set(key, { ...state, status: 'queued' });
      } else {
        result.skip.push(key);
        decided.set(key, { ...state, status: 'skipped' });
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.fail.push({ key, error: `condition could not be judged: ${message}` });
      decided.set(key, { ...state, status: 'failed', error: message });
    }
  }
  return result;
}

/** Queued or running nodes whose per-node time limit (counted from enqueueing) has passed. */
export function expiredNodes(states: ReadonlyMap<string, NodeState>, now: number): string[] {
  return [...states]
    .filter(
      ([, state]) =>
        (state.status === 'queued' || state.status === 'running') &&
        state.timeoutMs != null &&
        state.queuedAt != null &&
        state.queuedAt.getTime() + state.timeoutMs <= now,
    )
    .map(([key]) => key);
}
