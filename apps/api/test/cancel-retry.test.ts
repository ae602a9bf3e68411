import { maintenance } from '@foreman/contracts';
import { implementTask, NonRetryableError, type TaskWorker } from '@foreman/core';
import { waitFor } from '@foreman/core/testing';
import { eq, tasks } from '@foreman/db';
import { startTestApi, type TestApi } from './test-api.js';
import { startTestWorker } from './test-worker.js';

/** What the handler does on its next start, so each test picks how its task runs. */
type Behaviour = 'complete' | 'fail' | 'hang';

interface TaskJson {
  id: string;
  status: string;
  error: string | null;
  result: unknown;
}

/** What docs/api.md and docs/tasks.md state about cancel and retry, against a real worker. */
describe('cancel and retry', () => {
  let api: TestApi;
  let worker: TaskWorker;
  let next: Behaviour = 'complete';
  /** Every start of the handler: task id, attempt, and whether its signal was aborted. */
  const starts: Array<{ taskId: string; attempt: number; aborted: boolean }> = [];

  beforeAll(async () => {
    api = await startTestApi('api_cancel_retry');
    worker = await startTestWorker(api, 'maintenance', [
      implementTask(maintenance.healthCheck, async (_payload, context) => {
        const start = { taskId: context.taskId, attempt: context.attempt, aborted: false };
        starts.push(start);
        if (next === 'fail') throw new NonRetryableError('the check failed');
        if (next === 'hang') {
          await new Promise<void>((resolve) => {
            context.signal.addEventListener('abort', () => resolve(), { once: true });
          });
          start.aborted = true;
          throw context.signal.reason ?? new Error('aborted');
        }
        return { redisMs: 1, databaseMs: 1, checkedAt: new Date().toISOString() };
      }),
    ]);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
  });

  const submit = async (behaviour: Behaviour, query = '') => {
    next = behaviour;
    const response = await api.call(api.aliceKey, `/tasks/maintenance.health_check${query}`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const read = async (id: string) =>
    (await (await api.call(api.aliceKey, `/tasks/${id}`)).json()) as TaskJson;
  const reaches = (id: string, status: string) =>
    waitFor(
      async () => {
        const task = await read(id);
        return task.status === status ? task : undefined;
      },
      { timeoutMs: 20_000, what: `task ${id} to be ${status}` },
    );
  const post = (id: string, action: 'cancel' | 'retry') =>
    api.call(api.aliceKey, `/tasks/${id}/${action}`, { method: 'POST' });
  /** A 409 `TASK_STATE_CONFLICT`: the task is not in a state the action applies to. */
  const expectConflict = async (response: Response) => {
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('TASK_STATE_CONFLICT');
  };

  it('cancels a running task by aborting its handler: recorded cancelled, no dead letter', async () => {
    const id = await submit('hang');
    await reaches(id, 'running');
    const cancel = await post(id, 'cancel');
    expect(cancel.status).toBe(202);
    expect(await cancel.json()).toEqual({ taskId: id, status: 'cancelling', was: 'active' });
    const cancelled = await reaches(id, 'cancelled');
    expect(cancelled.status).toBe('cancelled');
    expect(starts.filter((start) => start.taskId === id)).toEqual([
      { taskId: id, attempt: 1, aborted: true },
    ]);
    expect((await api.call(api.aliceKey, `/dead-letters/${id}`)).status).toBe(404);
    // Finished: a second cancel is a conflict.
    await expectConflict(await post(id, 'cancel'));
  });

  it('retries a task cancelled while running under the same id', async () => {
    const id = await submit('hang');
    await reaches(id, 'running');
    expect((await post(id, 'cancel')).status).toBe(202);
    await reaches(id, 'cancelled');
    next = 'complete';
    const retry = await post(id, 'retry');
    expect(retry.status).toBe(202);
    expect(await retry.json()).toEqual({
      taskId: id,
      name: 'maintenance.health_check',
      queue: 'maintenance',
      status: 'pending',
    });
    const completed = await reaches(id, 'completed');
    expect(completed.result).toMatchObject({ redisMs: 1, databaseMs: 1 });
    expect(starts.filter((start) => start.taskId === id)).toHaveLength(2);
  });

  it('retries a failed task under the same id with fresh attempts, and no retryOf', async () => {
    const id = await submit('fail');
    const failed = await reaches(id, 'failed');
    expect(failed.error).toBe('the check failed');
    next = 'complete';
    const retry = await post(id, 'retry');
    expect(retry.status).toBe(202);
    const body = (await retry.json()) as Record<string, unknown>;
    expect(body).toEqual({
      taskId: id,
      name: 'maintenance.health_check',
      queue: 'maintenance',
      status: 'pending',
    });
    expect(body).not.toHaveProperty('retryOf');
    await reaches(id, 'completed');
    // The contract allows one attempt: the rerun is attempt 1 again, not a second one.
    expect(starts.filter((start) => start.taskId === id).map((start) => start.attempt)).toEqual([1, 1]);
    // Completed now: nothing to retry.
    await expectConflict(await post(id, 'retry'));
  });

  it('refuses to retry a failed task whose job its queue no longer holds', async () => {
    const id = await submit('fail');
    await reaches(id, 'failed');
    // The failed row is in PostgreSQL, so the record outlives the job.
    await waitFor(
      async () => {
        await api.records.flush();
        const [row] = await api.testDb.database.db.select().from(tasks).where(eq(tasks.id, id));
        return row?.status === 'failed' ? true : undefined;
      },
      { what: 'the failed row to be stored' },
    );
    // What the queue's retention (7 days, or maintenance.clean_queues) does to a failed job.
    await (await api.client.queue('maintenance').getJob(id))?.remove();
    const retry = await post(id, 'retry');
    expect(retry.status).toBe(409);
    const { error } = (await retry.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('TASK_STATE_CONFLICT');
    expect(error.message).toMatch(/no longer in its queue/);
    expect((await read(id)).status).toBe('failed');
  });

  it('refuses to retry a task that has not finished', async () => {
    const id = await submit('hang');
    await expectConflict(await post(id, 'retry'));
    await reaches(id, 'running');
    await expectConflict(await post(id, 'retry'));
    expect((await post(id, 'cancel')).status).toBe(202);
    await reaches(id, 'cancelled');
  });
});
