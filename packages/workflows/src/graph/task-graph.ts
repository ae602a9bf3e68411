import { WorkflowCycleError } from '../errors/workflow-cycle-error.js';
import { WorkflowDefinitionError } from '../errors/workflow-definition-error.js';
import { isSettled, type NodeStatus } from './node-status.js';

/**
 * Nodes and their dependencies, nothing else: ordering, cycles and readiness. Every answer is
 * deterministic: ties are broken by the order nodes were added.
 */
export class TaskGraph<T = unknown> {
  private readonly nodes = new Map<string, T>();
  private readonly parentsOf = new Map<string, string[]>();
  private readonly childrenOf = new Map<string, string[]>();

  addNode(key: string, value: T): this {
    if (this.nodes.has(key)) throw new WorkflowDefinitionError(`Node "${key}" is defined twice`);
    this.nodes.set(key, value);
    this.parentsOf.set(key, []);
    this.childrenOf.set(key, []);
    return this;
  }

  /** `child` runs after `parent`. */
  addDependency(child: string, parent: string): this {
    for (const key of [child, parent]) {
      if (!this.nodes.has(key)) {
        throw new WorkflowDefinitionError(
          `Dependency "${child}" -> "${parent}" names an unknown node "${key}"`,
        );
      }
    }
    const parents = this.parentsOf.get(child) as string[];
    if (!parents.includes(parent)) {
      parents.push(parent);
      (this.childrenOf.get(parent) as string[]).push(child);
    }
    return this;
  }

  get size(): number {
    return this.nodes.size;
  }

  keys(): string[] {
    return [...this.nodes.keys()];
  }

  get(key: string): T {
    if (!this.nodes.has(key)) throw new WorkflowDefinitionError(`No node "${key}"`);
    return this.nodes.get(key) as T;
  }

  parents(key: string): string[] {
    return [...(this.parentsOf.get(key) ?? [])];
  }

  children(key: string): string[] {
    return [...(this.childrenOf.get(key) ?? [])];
  }

  /** A cycle as a path that returns to its start (["a", "b", "a"]), or undefined. */
  findCycle(): string[] | undefined {
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (key: string): string[] | undefined => {
      state.set(key, 'open');
      path.push(key);
      for (const parent of this.parentsOf.get(key) ?? []) {
        if (state.get(parent) === 'open') {
          // Walked child -> parent; reverse so the cycle reads in execution order.
          return [...path.slice(path.indexOf(parent)), parent].reverse();
        }
        if (!state.has(parent)) {
          const found = visit(parent);
          if (found) return found;
        }
      }
      path.pop();
      state.set(key, 'done');
      return undefined;
    };
    for (const key of this.nodes.keys()) {
      if (!state.has(key)) {
        const found = visit(key);
        if (found) return found;
      }
    }
    return undefined;
  }

  /** Parents before children; among nodes free at the same time, the earlier added first. */
  topologicalOrder(): string[] {
    const cycle = this.findCycle();
    if (cycle) throw new WorkflowCycleError(cycle);
    const remaining = new Map(
      [...this.nodes.keys()].map((key) => [key, this.parentsOf.get(key)?.length ?? 0]),
    );
    const order: string[] = [];
    const position = new Map([...this.nodes.keys()].map((key, index) => [key, index]));
    const free = [...remaining].filter(([, count]) => count === 0).map(([key]) => key);
    while (free.length > 0) {
      free.sort((a, b) => (position.get(a) as number) - (position.get(b) as number));
      const key = free.shift() as string;
      order.push(key);
      for (const child of this.childrenOf.get(key) ?? []) {
        const left = (remaining.get(child) as number) - 1;
        remaining.set(child, left);
        if (left === 0) free.push(child);
      }
    }
    return order;
  }

  /** True once every parent of `key` has settled (completed, failed or skipped). */
  dependenciesMet(key: string, status: (key: string) => NodeStatus): boolean {
    return (this.parentsOf.get(key) ?? []).every((parent) => isSettled(status(parent)));
  }

  /** Waiting nodes whose dependencies are met, in topological order; conditions decide the rest. */
  readyNodes(status: (key: string) => NodeStatus): string[] {
    return this.topologicalOrder().filter(
      (key) => status(key) === 'waiting' && this.dependenciesMet(key, status),
    );
  }
}
