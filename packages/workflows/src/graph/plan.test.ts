import type { WorkflowCondition } from '@foreman/db';
import type { NodeStatus } from './node-status.js';
import { expiredNodes, type NodeState, plan } from './plan.js';
import { TaskGraph } from './task-graph.js';

const success: WorkflowCondition = { kind: 'success' };

function setup(
  nodes: Record<
    string,
    { status?: NodeStatus; parents?: string[]; condition?: WorkflowCondition; result?: unknown }
  >,
) {
  const graph = new TaskGraph<null>();
  const states = new Map<string, NodeState>();
  for (const [key, node] of Object.entries(nodes)) {
    graph.addNode(key, null);
    states.set(key, {
      status: node.status ?? 'waiting',
      condition: node.condition ?? success,
      result: node.result,
    });
  }
  for (const [key, node] of Object.entries(nodes))
    for (const parent of node.parents ?? []) graph.addDependency(key, parent);
  return { graph, states };
}

const noPredicates = new Map();

describe('plan', () => {
  it('runs roots, then children once every parent completed', () => {
    const { graph, states } = setup({ a: {}, b: { parents: ['a'] } });
    expect(plan(graph, states, noPredicates)).toEqual({ run: ['a'], skip: [], fail: [] });
    states.set('a', { ...states.get('a')!, status: 'completed' });
    expect(plan(graph, states, noPredicates).run).toEqual(['b']);
  });

  it('judges success, failure and always once the parents settle', () => {
    const { graph, states } = setup({
      build: { status: 'failed' },
      deploy: { parents: ['build'] },
      alert: { parents: ['build'], condition: { kind: 'failure' } },
      cleanup: { parents: ['build'], condition: { kind: 'always' } },
    });
    expect(plan(graph, states, noPredicates)).toEqual({
      run: ['alert', 'cleanup'],
      skip: ['deploy'],
      fail: [],
    });
    states.set('build', { ...states.get('build')!, status: 'completed' });
    expect(plan(graph, states, noPredicates)).toEqual({
      run: ['deploy', 'cleanup'],
      skip: ['alert'],
      fail: [],
    });
  });

  it('propagates a skip to descendants that need success, while `always` still runs', () => {
    const { graph, states } = setup({
      a: { status: 'failed' },
      b: { parents: ['a'] },
      c: { parents: ['b'] },
      d: { parents: ['c'] },
      report: { parents: ['d'], condition: { kind: 'always' } },
      onFailure: { parents: ['c'], condition: { kind: 'failure' } },
    });
    expect(plan(graph, states, noPredicates)).toEqual({
      run: ['report'],
      skip: ['b', 'c', 'd', 'onFailure'],
      fail: [],
    });
  });

  it('asks a predicate over the parents’ outcomes', () => {
    const predicates = new Map([
      [
        'hasItems',
        (parents: Record<string, { result?: unknown }>) =>
          (parents.fetch?.result as { count: number } | undefined)?.count !== 0,
      ],
    ]);
    const { graph, states } = setup({
      fetch: { status: 'completed', result: { count: 0 } },
      process: { parents: ['fetch'], condition: { kind: 'predicate', predicate: 'hasItems' } },
      archive: { parents: ['process'] },
    });
    expect(plan(graph, states, predicates)).toEqual({ run: [], skip: ['process', 'archive'], fail: [] });
    states.set('fetch', { ...states.get('fetch')!, result: { count: 3 } });
    expect(plan(graph, states, predicates).run).toEqual(['process']);
  });

  it('fails a node whose predicate is unknown or throws, and carries on', () => {
    const predicates = new Map([
      [
        'broken',
        () => {
          throw new Error('boom');
        },
      ],
    ]);
    const { graph, states } = setup({
      a: { status: 'completed' },
      b: { parents: ['a'], condition: { kind: 'predicate', predicate: 'broken' } },
      c: { parents: ['a'], condition: { kind: 'predicate', predicate: 'missing' } },
      d: { parents: ['b'], condition: { kind: 'always' } },
    });
    const decision = plan(graph, states, predicates);
    expect(decision.fail).toEqual([
      { key: 'b', error: 'condition could not be judged: boom' },
      { key: 'c', error: 'condition could not be judged: No predicate named "missing" is registered' },
    ]);
    expect(decision.run).toEqual(['d']);
  });

  it('does nothing while a parent is still running', () => {
    const { graph, states } = setup({
      a: { status: 'running' },
      b: { parents: ['a'], condition: { kind: 'always' } },
    });
    expect(plan(graph, states, noPredicates)).toEqual({ run: [], skip: [], fail: [] });
  });
});

describe('expiredNodes', () => {
  it('finds queued or running nodes past their limit, counted from enqueueing', () => {
    const queuedAt = new Date(1_000_000);
    const states = new Map<string, NodeState>([
      ['slow', { status: 'running', condition: success, timeoutMs: 500, queuedAt }],
      ['queued', { status: 'queued', condition: success, timeoutMs: 500, queuedAt }],
      ['patient', { status: 'running', condition: success, timeoutMs: 5_000, queuedAt }],
      ['unlimited', { status: 'running', condition: success, queuedAt }],
      ['done', { status: 'completed', condition: success, timeoutMs: 500, queuedAt }],
    ]);
    expect(expiredNodes(states, 1_000_499)).toEqual([]);
    expect(expiredNodes(states, 1_000_500)).toEqual(['slow', 'queued']);
  });
});
