import { implementTask, TaskRecordWriter, TaskWorker } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { createLogger } from '@foreman/logger';
import { chain } from '@foreman/workflows';
import { beatHarness, tick } from './fixtures.js';

const logger = createLogger('test', { level: 'silent' });

describe('beat orchestrates workflows', () => {
  it('runs a workflow submitted through its client to the end', async () => {
    const h = await beatHarness('beat_wf');
    const records = new TaskRecordWriter({ db: h.database.database.db, logger });
    const worker = new TaskWorker({
      queue: tick.queue,
      tasks: [
        implementTask(tick, async ({ label }, context) => ({
          label: `${label}<-${Object.keys(context.workflow?.parents ?? {}).join(',')}`,
        })),
      ],
      connection: h.redis.redis,
      prefix: h.redis.prefix,
      records,
      logger,
    });
    try {
      await worker.start();
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
      await worker.close();
      await records.close();
      await h.close();
    }
  });
});
