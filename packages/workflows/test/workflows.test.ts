import { userSubmitter } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { eq, tasks, workflows } from '@foreman/db';
import { workflow } from '../src/definition.js';
import { nodeTaskId } from '../src/workflow-engine.js';
import { add, byKey, cleanup, explode, held, hold, multiply, workflowHarness } from './fixtures.js';

describe('workflows on real workers', () => {
  let h: Awaited<ReturnType<typeof workflowHarness>>;
  beforeAll(async () => {
    h = await workflowHarness('workflows');
  });
  afterAll(() => h.close());

  it('runs a diamond across two queues, handing parents’ results to children', async () => {
    const { client } = await h.orchestrate();
    const diamond = workflow('diamond')
      .node({ key: 'root', task: add, payload: { n: 1 } })
      .group(
        [
          { key: 'left', task: multiply, payload: { by: 2 } },
          { key: 'right', task: add, payload: { n: 10 } },
        ],
        { after: ['root'] },
      )
      .node({
        key: 'join',
        task: add,
        payload: { n: 0 },
        dependsOn: ['left', 'right'],
        when: { predicate: 'positive' },
      })
      .build();
    const { workflowId } = await client.submit(diamond, {
      userId: 'u1',
      submitter: userSubmitter('u1', false),
    });
    const done = await h.finished(client, workflowId);

    expect([done.status, done.error, done.userId]).toEqual(['completed', null, 'u1']);
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    const nodes = byKey(done);
    expect(
      Object.fromEntries(done.nodes.map((node) => [node.key, [node.status, node.queue, node.result]])),
    ).toEqual({
      root: ['completed', 'wf-a', { value: 1 }],
      left: ['completed', 'wf-b', { value: 2 }],
      right: ['completed', 'wf-a', { value: 11 }],
      join: ['completed', 'wf-a', { value: 13 }],
    });
    // The join started only after both branches had finished.
    for (const parent of [nodes.left!, nodes.right!]) {
      expect(nodes.join!.queuedAt!.getTime()).toBeGreaterThanOrEqual(parent.completedAt!.getTime());
    }
    for (const node of done.nodes) {
      expect([node.queuedAt, node.startedAt, node.completedAt]).toEqual([
        expect.any(Date),
        expect.any(Date),
        expect.any(Date),
      ]);
      expect(node.taskId).toBe(nodeTaskId(workflowId, node.key));
    }
    const [joinTask] = await h.database.database.db
      .select()
      .from(tasks)
      .where(eq(tasks.id, nodes.join!.taskId!));
    expect([joinTask?.name, joinTask?.userId]).toEqual(['wf.add', 'u1']);
  });

  it('runs an `always` cleanup after a failing branch, skipping what needed success', async () => {
    const { client } = await h.orchestrate();
    const { workflowId } = await client.submit(
      workflow('failing')
        .chain([
          { key: 'fetch', task: add, payload: { n: 1 } },
          { key: 'explode', task: explode },
          { key: 'publish', task: add, payload: { n: 1 } },
        ])
        .node({ key: 'alert', task: cleanup, dependsOn: ['explode'], when: 'failure' })
        .node({ key: 'cleanup', task: cleanup, dependsOn: ['explode', 'publish'], when: 'always' })
        .build(),
    );
    const done = await h.finished(client, workflowId);
    expect([done.status, done.error]).toEqual(['failed', 'failed nodes: explode']);
    const nodes = byKey(done);
    expect(Object.fromEntries(done.nodes.map((node) => [node.key, node.status]))).toEqual({
      fetch: 'completed',
      explode: 'failed',
      publish: 'skipped',
      alert: 'completed',
      cleanup: 'completed',
    });
    expect(nodes.explode!.error).toMatch(/exploded on purpose/);
    expect(nodes.cleanup!.result).toEqual({
      sawParents: {
        explode: { status: 'failed', error: expect.stringMatching(/exploded on purpose/) },
        publish: { status: 'skipped' },
      },
    });
  });

  it("refuses a user's workflow with a system task at submit, and stores nothing", async () => {
    const { client } = await h.orchestrate();
    const before = await h.database.database.db.select().from(workflows);
    await expect(
      client.submit(
        workflow('sneaky')
          .chain([
            { key: 'fine', task: add, payload: { n: 1 } },
            { key: 'purge', task: cleanup },
          ])
          .build(),
        { userId: 'u1', submitter: userSubmitter('u1', false) },
      ),
    ).rejects.toMatchObject({ code: 'TASK_FORBIDDEN' });
    expect(await h.database.database.db.select().from(workflows)).toEqual(before);
  });

  it("runs each node with its owner's rights when it fires: a lost admin right fails the node", async () => {
    const { client } = await h.orchestrate();
    // Allowed at submit (an admin key), but 'former-admin' holds no admin key when the node fires.
    const { workflowId } = await client.submit(
      workflow('demoted')
        .chain([
          { key: 'first', task: add, payload: { n: 1 } },
          { key: 'purge', task: cleanup },
        ])
        .build(),
      { userId: 'former-admin', submitter: userSubmitter('former-admin', true) },
    );
    const done = await h.finished(client, workflowId);
    const nodes = byKey(done);
    expect([done.status, nodes.first!.status, nodes.purge!.status]).toEqual([
      'failed',
      'completed',
      'failed',
    ]);
    expect(nodes.purge!.error).toMatch(/may not submit "wf.cleanup"/);
    expect(nodes.purge!.taskId).toBeNull();
  });

  it('fails a node past its time limit and cancels its task', async () => {
    const { client } = await h.orchestrate();
    const { workflowId } = await client.submit(
      workflow('timeout')
        .node({ key: 'stuck', task: hold, timeoutMs: 500 })
        .node({ key: 'after', task: cleanup, dependsOn: ['stuck'], when: 'always' })
        .build(),
    );
    const done = await h.finished(client, workflowId);
    const nodes = byKey(done);
    expect([done.status, nodes.stuck!.status, nodes.stuck!.error, nodes.after!.status]).toEqual([
      'failed',
      'failed',
      'timed out after 500 ms',
      'completed',
    ]);
    await waitFor(
      async () => {
        const [task] = await h.database.database.db
          .select()
          .from(tasks)
          .where(eq(tasks.id, nodes.stuck!.taskId!));
        return task?.status === 'cancelled' ? task : undefined;
      },
      { timeoutMs: 20_000, what: 'the timed-out task to be cancelled' },
    );
  });

  it('continues a workflow after its orchestrating process restarts', async () => {
    await h.stopOrchestrators();
    const first = await h.orchestrate();
    const { workflowId } = await first.client.submit(
      workflow('restart')
        .chain([
          { key: 'start', task: add, payload: { n: 1 } },
          { key: 'wait', task: hold },
          { key: 'finish', task: add, payload: { n: 100 } },
        ])
        .build(),
    );
    const waitTask = nodeTaskId(workflowId, 'wait');
    await waitFor(() => held.get(waitTask), { timeoutMs: 30_000, what: 'the held node to start' });
    await first.stop();

    // With no orchestrator, the held node finishes; nothing moves the workflow on.
    held.get(waitTask)!();
    const records = h.database.database.db;
    await waitFor(
      async () => {
        const [task] = await records.select().from(tasks).where(eq(tasks.id, waitTask));
        return task?.status === 'completed' ? task : undefined;
      },
      { timeoutMs: 20_000, what: 'the held node task to complete' },
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [stalled] = await records.select().from(workflows).where(eq(workflows.id, workflowId));
    expect(stalled?.status).toBe('running');

    const second = await h.orchestrate();
    const done = await h.finished(second.client, workflowId);
    expect(done.status).toBe('completed');
    expect(byKey(done).finish!.result).toEqual({ value: 105 });
  });

  it('refuses a bad workflow with a typed error and stores nothing', async () => {
    const { client } = await h.orchestrate();
    const before = await h.database.database.db.select().from(workflows);
    await expect(
      client.submit(workflow('bad').node({ key: 'a', task: 'wf.nope' }).build()),
    ).rejects.toMatchObject({ code: 'TASK_UNKNOWN' });
    await expect(
      client.submit(
        workflow('bad')
          .node({ key: 'a', task: add, payload: { n: 'x' } })
          .build(),
      ),
    ).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
    await expect(
      client.submit(
        workflow('bad')
          .node({ key: 'a', task: add, payload: { n: 1 }, when: { predicate: 'nope' } })
          .build(),
      ),
    ).rejects.toMatchObject({ code: 'WORKFLOW_INVALID' });
    await expect(
      client.submit({
        name: 'bad',
        nodes: [
          { key: 'a', task: add, payload: { n: 1 }, dependsOn: ['b'] },
          { key: 'b', task: add, payload: { n: 1 }, dependsOn: ['a'] },
        ],
      }),
    ).rejects.toMatchObject({ code: 'WORKFLOW_CYCLE', cycle: ['a', 'b', 'a'] });
    expect(await h.database.database.db.select().from(workflows)).toEqual(before);
    await expect(client.status('no-such-workflow')).rejects.toMatchObject({ code: 'WORKFLOW_NOT_FOUND' });
  });
});
