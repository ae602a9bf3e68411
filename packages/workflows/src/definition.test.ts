import { defineTask } from '@foreman/core';
import { z } from 'zod';
import { buildGraph, chain, chord, group, parseWorkflowDefinition, workflow } from './definition.js';

const step = defineTask({ name: 'demo.step', queue: 'demo', payload: z.object({}) });
const parents = (definition: { nodes: Array<{ key: string; dependsOn?: string[] }> }) =>
  Object.fromEntries(definition.nodes.map((node) => [node.key, node.dependsOn ?? []]));

describe('workflow definitions', () => {
  it('builds chains, groups and chords on the same graph', () => {
    expect(
      parents(
        chain('c', [
          { key: 'a', task: step },
          { key: 'b', task: step },
          { key: 'c', task: step },
        ]),
      ),
    ).toEqual({
      a: [],
      b: ['a'],
      c: ['b'],
    });
    expect(
      parents(
        group('g', [
          { key: 'a', task: step },
          { key: 'b', task: step },
        ]),
      ),
    ).toEqual({ a: [], b: [] });
    expect(
      parents(
        chord(
          'ch',
          [
            { key: 'a', task: step },
            { key: 'b', task: step },
          ],
          { key: 'sum', task: step },
        ),
      ),
    ).toEqual({ a: [], b: [], sum: ['a', 'b'] });
    const composed = workflow('nightly')
      .node({ key: 'fetch', task: step })
      .chord(
        [
          { key: 'x', task: step },
          { key: 'y', task: step },
        ],
        { key: 'merge', task: step },
        { after: ['fetch'] },
      )
      .chain(
        [
          { key: 'report', task: step },
          { key: 'cleanup', task: step, when: 'always' },
        ],
        { after: ['merge'] },
      )
      .build();
    expect(buildGraph(composed).topologicalOrder()).toEqual([
      'fetch',
      'x',
      'y',
      'merge',
      'report',
      'cleanup',
    ]);
  });

  it('refuses bad keys, unknown dependencies and cycles before anything runs', () => {
    expect(() => workflow('w').node({ key: 'bad key', task: step }).build()).toThrow(/Node key "bad key"/);
    expect(() =>
      workflow('w')
        .node({ key: 'a', task: step, dependsOn: ['ghost'] })
        .build(),
    ).toThrow(/ghost/);
    expect(() =>
      workflow('w')
        .node({ key: 'a', task: step, dependsOn: ['b'] })
        .node({ key: 'b', task: step, dependsOn: ['a'] })
        .build(),
    ).toThrow('Workflow has a dependency cycle: a -> b -> a');
    expect(() => workflow('w').build()).toThrow(/has no nodes/);
  });

  it('parses a definition sent as JSON, naming each bad field', () => {
    expect(
      parseWorkflowDefinition({
        name: 'w',
        nodes: [{ key: 'a', task: 'demo.step', when: { predicate: 'p' } }],
      }),
    ).toEqual({
      name: 'w',
      nodes: [{ key: 'a', task: 'demo.step', when: { predicate: 'p' } }],
    });
    expect(() =>
      parseWorkflowDefinition({ name: 'w', nodes: [{ key: 'a', task: 'demo.step', when: 'sometimes' }] }),
    ).toThrow(/nodes\.0\.when/);
    expect(() => workflow('w\u0000').node({ key: 'a', task: step }).build()).toThrow(
      'Workflow field name contains a NUL character',
    );
  });
});
