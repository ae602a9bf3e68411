import { waitFor } from '@foreman/core/testing';
import { chain } from '@foreman/workflows';
import { beatHarness, tick } from './fixtures.js';

describe('beat orchestrates workflows', () => {
  it('runs a workflow submitted through its client to the end', async () => {
    const h = await beatHarness('beat_wf');
    try {
      await h.tickWorker().start();
      const beat = await h.start([]);
      const { workflowId } = await beat.workflows.submit(
        chain('two ticks', [
          { key: 'first', task: tick, payload: { label: 'a' } },
          { key: 'second', task: tick, payload: { label: 'b' } },
        ]),
      );
      const done = await waitFor(
        async () => {
          const view = await beat.workflows.status(workflowId);
          return view.status === 'running' ? undefined : view;
        },
        { timeoutMs: 30_000, what: 'the workflow to finish' },
      );
      expect(done.status).toBe('completed');
      expect(done.nodes.map((node) => node.result)).toEqual([{ label: 'a<-' }, { label: 'b<-first' }]);
    } finally {
      await h.close();
    }
  });
});
