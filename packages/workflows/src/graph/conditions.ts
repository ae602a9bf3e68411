import type { ParentOutcome } from '@foreman/core';
import type { WorkflowCondition } from '@foreman/db';

/** Decides on the parents' outcomes (by node key) whether a node runs. Must be pure and quick. */
export type WorkflowPredicate = (parents: Record<string, ParentOutcome>) => boolean;

/** How a node's condition is written in a definition; `success` when left out. */
export type When = 'success' | 'failure' | 'always' | { predicate: string };

export function toCondition(when: When = 'success'): WorkflowCondition {
  return typeof when === 'string' ? { kind: when } : { kind: 'predicate', predicate: when.predicate };
}

/**
 * Whether a node whose parents have all settled runs: `success` when every parent completed,
 * `failure` when any parent failed, `always` in any case, a predicate when it returns true.
 * A root node (no parents) runs under `success` and `always` only.
 */
export function shouldRun(
  condition: WorkflowCondition,
  parents: Record<string, ParentOutcome>,
  predicates: ReadonlyMap<string, WorkflowPredicate>,
): boolean {
  const outcomes = Object.values(parents);
  switch (condition.kind) {
    case 'success':
      return outcomes.every((parent) => parent.status === 'completed');
    case 'failure':
      return outcomes.some((parent) => parent.status === 'failed');
    case 'always':
      return true;
    case 'predicate': {
      const predicate = predicates.get(condition.predicate);
      if (!predicate) throw new Error(`No predicate named "${condition.predicate}" is registered`);
      return predicate(parents) === true;
    }
  }
}
