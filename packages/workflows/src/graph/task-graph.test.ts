import { WorkflowCycleError } from '../errors/workflow-cycle-error.js';
import type { NodeStatus } from './node-status.js';
import { TaskGraph } from './task-graph.js';

function graphOf(edges: Array<[string, string]>, keys: string[]): TaskGraph<null> {
  const graph = new TaskGraph<null>();
  for (const key of keys) graph.addNode(key, null);
  for (const [child, parent] of edges) graph.addDependency(child, parent);
  return graph;
}

describe('TaskGraph', () => {
  it('orders parents before children, ties by the order nodes were added', () => {
    const diamond = graphOf(
      [
        ['left', 'root'],
        ['right', 'root'],
        ['join', 'left'],
        ['join', 'right'],
      ],
      ['join', 'right', 'left', 'root'],
    );
    expect(diamond.topologicalOrder()).toEqual(['root', 'right', 'left', 'join']);
    // Same graph, nodes added in another order: the order follows, deterministically.
    const again = graphOf(
      [
        ['left', 'root'],
        ['right', 'root'],
        ['join', 'left'],
        ['join', 'right'],
      ],
      ['root', 'left', 'right', 'join'],
    );
    expect(again.topologicalOrder()).toEqual(['root', 'left', 'right', 'join']);
    expect(again.topologicalOrder()).toEqual(again.topologicalOrder());
  });

  it('names the cycle it finds', () => {
    const graph = graphOf(
      [
        ['b', 'a'],
        ['c', 'b'],
        ['a', 'c'],
        ['d', 'c'],
      ],
      ['a', 'b', 'c', 'd'],
    );
    expect(() => graph.topologicalOrder()).toThrow(WorkflowCycleError);
    expect(() => graph.topologicalOrder()).toThrow('Workflow has a dependency cycle: a -> b -> c -> a');
    try {
      graph.topologicalOrder();
    } catch (error) {
      expect((error as WorkflowCycleError).cycle).toEqual(['a', 'b', 'c', 'a']);
      expect((error as WorkflowCycleError).code).toBe('WORKFLOW_CYCLE');
    }
    expect(graphOf([['a', 'a']], ['a']).findCycle()).toEqual(['a', 'a']);
  });

  it('refuses duplicate nodes and dependencies on unknown nodes', () => {
    expect(() => graphOf([], ['a', 'a'])).toThrow('Node "a" is defined twice');
    expect(() => graphOf([['a', 'ghost']], ['a'])).toThrow(/unknown node "ghost"/);
  });

  it('tells whether dependencies are met and which nodes are ready', () => {
    const graph = graphOf(
      [
        ['b', 'a'],
        ['c', 'a'],
        ['d', 'b'],
        ['d', 'c'],
      ],
      ['a', 'b', 'c', 'd'],
    );
    const statuses: Record<string, NodeStatus> = { a: 'waiting', b: 'waiting', c: 'waiting', d: 'waiting' };
    const status = (key: string) => statuses[key] as NodeStatus;
    expect(graph.readyNodes(status)).toEqual(['a']);
    statuses.a = 'completed';
    expect(graph.readyNodes(status)).toEqual(['b', 'c']);
    statuses.b = 'failed';
    statuses.c = 'running';
    expect(graph.dependenciesMet('d', status)).toBe(false);
    statuses.c = 'skipped';
    expect(graph.dependenciesMet('d', status)).toBe(true);
    expect(graph.readyNodes(status)).toEqual(['d']);
  });
});
