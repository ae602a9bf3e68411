import { maintenance } from '@foreman/contracts';
import { implementTask, type TaskWorker } from '@foreman/core';
import { SseClient, type SseEvent } from './sse-client.js';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

describe('task event stream', () => {
  let api: TestApi;
  let worker: TaskWorker;
  beforeAll(async () => {
    api = await startTestApi('api_events');
    worker = await startTestWorker(api, 'maintenance', [
      implementTask(maintenance.healthCheck, async (_payload, context) => {
        await context.progress(50, 'half way');
        await context.progress(100, 'done');
        return { redisMs: 1, databaseMs: 1, checkedAt: new Date().toISOString() };
      }),
    ]);
  });
  // Streams left open by a failing test would keep jest alive.
  const opened: SseClient[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((client) => client.close()));
    await worker.close();
    await api.close();
  });

  const open = async (key: string, query = '', lastEventId?: string) => {
    const response = await api.call(
      key,
      `/events${query}`,
      lastEventId ? { headers: { 'last-event-id': lastEventId } } : {},
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const client = new SseClient(response);
    opened.push(client);
    expect((await client.next()).event).toBe('ready');
    return client;
  };
  const startPosition = async (key: string) => {
    const response = await api.call(key, '/events');
    const client = new SseClient(response);
    const ready = await client.next();
    await client.close();
    expect(ready.event).toBe('ready');
    return ready.id;
  };
  const submit = async (key: string) => {
    const response = await api.call(key, '/tasks/maintenance.health_check', { method: 'POST', body: '{}' });
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const data = (event: SseEvent) =>
    JSON.parse(event.data) as { taskId: string; userId: string; percent?: number; error?: string };
  const lifecycle = ['submitted', 'started', 'progress', 'progress', 'completed'];

  it('streams a task’s life to its owner only, and replays from Last-Event-ID', async () => {
    const alice = await open(api.aliceKey);
    const admin = await open(api.adminKey);
    const bobTask = await submit(api.bobKey);
    const aliceTask = await submit(api.aliceKey);

    // `submitted` comes from the api and the rest from the worker: in rare races it lands later.
    const seen = await alice.collect(
      (event) => event.event === 'completed' && data(event).taskId === aliceTask,
    );
    if (!seen.some((event) => event.event === 'submitted')) seen.push(await alice.next());
    expect(seen.every((event) => data(event).taskId === aliceTask && data(event).userId === 'alice')).toBe(
      true,
    );
    expect(seen.map((event) => event.event).sort()).toEqual([...lifecycle].sort());
    const workerSteps = seen.filter((event) => event.event !== 'submitted');
    expect(workerSteps.map((event) => event.event)).toEqual(lifecycle.slice(1));
    expect(
      workerSteps.filter((event) => event.event === 'progress').map((event) => data(event).percent),
    ).toEqual([50, 100]);

    // An admin sees everyone's tasks.
    const all = await admin.collect(
      (event) => event.event === 'completed' && data(event).taskId === aliceTask,
    );
    expect(new Set(all.map((event) => data(event).taskId))).toEqual(new Set([bobTask, aliceTask]));
    await admin.close();
    await alice.close();

    // Reconnecting after the `started` event gets everything after it again.
    const resumed = await open(api.aliceKey, '', workerSteps[0]?.id);
    const replayed = await resumed.collect((event) => event.event === 'completed');
    expect(replayed.map((event) => event.event).filter((type) => type !== 'submitted')).toEqual(
      lifecycle.slice(2),
    );
    await resumed.close();
  });

  it('filters by workflow run: its nodes’ events only, each naming the workflow', async () => {
    // The stream's position before the submit: the filtered stream resumes there, so the nodes'
    // first events, published while the workflow is submitted, are not missed.
    const before = await startPosition(api.aliceKey);
    const submitted = await api.call(api.aliceKey, '/workflows', {
      method: 'POST',
      body: JSON.stringify({
        name: 'two-checks',
        nodes: [
          { key: 'left', task: 'maintenance.health_check' },
          { key: 'right', task: 'maintenance.health_check' },
        ],
      }),
    });
    expect(submitted.status).toBe(202);
    const { workflowId } = (await submitted.json()) as { workflowId: string };
    const stream = await open(api.aliceKey, `?workflowId=${workflowId}`, before);
    const outsider = await submit(api.aliceKey);
    const nodeTasks = new Set([`${workflowId}.left`, `${workflowId}.right`]);
    const completed = new Set<string>();
    const events = await stream.collect((event) => {
      if (event.event === 'completed') completed.add(data(event).taskId);
      return completed.size === 2;
    });
    expect(completed).toEqual(nodeTasks);
    for (const event of events) {
      const body = JSON.parse(event.data) as { taskId: string; workflowId?: string; userId: string };
      expect(nodeTasks.has(body.taskId)).toBe(true);
      expect(body.workflowId).toBe(workflowId);
      expect(body.userId).toBe('alice');
    }
    expect(events.some((event) => data(event).taskId === outsider)).toBe(false);
    // Each node's whole life is there, `submitted` (published by the engine's submit) included.
    for (const taskId of nodeTasks) {
      expect(
        events
          .filter((event) => data(event).taskId === taskId)
          .map((event) => event.event)
          .sort(),
      ).toEqual([...lifecycle].sort());
    }
    await stream.close();
  });

  it('filters by task and reports cancellation', async () => {
    const waiting = await api.call(api.aliceKey, '/tasks/maintenance.health_check?delayMs=60000', {
      method: 'POST',
      body: '{}',
    });
    const taskId = ((await waiting.json()) as { taskId: string }).taskId;
    const stream = await open(api.aliceKey, `?taskId=${taskId}`, undefined);
    await submit(api.aliceKey);
    await api.projected();
    const cancelled = await api.call(api.aliceKey, `/tasks/${taskId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const events = await stream.collect((event) => event.event === 'cancelled');
    expect(events.map((event) => [event.event, data(event).taskId])).toEqual([['cancelled', taskId]]);
    await stream.close();
  });

  it("shows a failed event's server paths to admins only, as the task records do", async () => {
    const alice = await open(api.aliceKey);
    const admin = await open(api.adminKey);
    api.runtime.events.publish({
      type: 'failed',
      taskId: 'paths-1',
      taskName: 'file.checksum_file',
      queue: 'file',
      userId: 'alice',
      error: "ENOENT: no such file or directory, open '/srv/foreman/files/alice/a.txt'",
    });
    const [seen] = await alice.collect((event) => event.event === 'failed');
    const [full] = await admin.collect((event) => event.event === 'failed');
    expect(data(seen!).error).toBe("ENOENT: no such file or directory, open '…/a.txt'");
    expect(data(full!).error).toBe(
      "ENOENT: no such file or directory, open '/srv/foreman/files/alice/a.txt'",
    );
    await alice.close();
    await admin.close();
  });

  it("streams a task's written text (output events) at ?taskId= to its owner, in order", async () => {
    const alice = await open(api.aliceKey, '?taskId=written-1');
    const publisher = api.runtime.events;
    const output = (taskId: string, message: string) =>
      publisher.append({
        type: 'output',
        taskId,
        taskName: 'ai.run_ai_task',
        queue: 'ai',
        userId: 'alice',
        message,
      });
    await output('written-1', 'Good ');
    await output('other-task', 'not this');
    await output('written-1', 'morning');
    const seen = await alice.collect((event) => JSON.parse(event.data).message === 'morning');
    expect(seen.map((event) => [event.event, JSON.parse(event.data).message])).toEqual([
      ['output', 'Good '],
      ['output', 'morning'],
    ]);
    await alice.close();
  });
});
